import { describe, expect, it } from 'vitest';
import type { Exercise } from './containers.js';
import { totalCalories } from './total-calories.js';

const run: Exercise = {
  kind: 'exercise',
  activityType: 'running',
  name: 'Run',
  startedAt: '2024-03-01T07:00:00+00:00',
  utcOffsetMinutes: 0,
  durationSeconds: 1800,
};

describe('totalCalories', () => {
  it('takes the calories given, else the hourly rate over the duration, else nothing', () => {
    expect(totalCalories({ ...run, calories: 250, caloriesPerHour: 900 })).toBe(250);
    expect(totalCalories({ ...run, caloriesPerHour: 600 })).toBe(300);
    expect(totalCalories({ ...run, calories: 0 })).toBe(0);
    expect(totalCalories(run)).toBeUndefined();
  });
});
