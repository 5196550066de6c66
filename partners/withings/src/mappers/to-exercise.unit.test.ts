import { pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import getworkouts from '../fixtures/getworkouts.json' with { type: 'json' };
import { toExercise as mapOne } from './to-exercise.js';

/** The mapping as the exercise resource runs it: map, then validate with the kit. */
const toExercise = (raw: unknown) => {
  const { items, rejected } = pollPage('exercise', [raw], mapOne);
  return { items, rejected };
};

const [run, walk] = getworkouts.body.series;
const workout = (over: Record<string, unknown>) => ({ ...run, ...over });

describe('toExercise', () => {
  it('maps a run: start in local time with offset, duration, active calories, distance', () => {
    expect(toExercise(run)).toEqual({
      items: [
        {
          externalId: '3172587843',
          externalVersion: '1690452120',
          data: {
            kind: 'exercise',
            activityType: 'running',
            name: 'Running',
            startedAt: '2023-07-27T11:00:00+02:00',
            utcOffsetMinutes: 120,
            durationSeconds: 3060,
            calories: 412.5,
            distanceMeters: 8012.4,
          },
        },
      ],
      rejected: [],
    });
  });

  it('uses the workout time zone (west of UTC) and maps walk', () => {
    const data = toExercise(walk).items[0]?.data;
    expect(data).toMatchObject({
      activityType: 'walking',
      startedAt: '2023-07-27T19:20:00-04:00',
      utcOffsetMinutes: -240,
    });
  });

  it('maps unknown categories to other; what the user typed in wins over the device', () => {
    const data = toExercise(
      workout({ category: 36, data: { calories: 180, manual_calories: 250, manual_distance: 0 } }),
    ).items[0]?.data;
    expect(data).toMatchObject({ activityType: 'other', calories: 250 });
    expect(data).not.toHaveProperty('distanceMeters');
  });

  it('rejects a workout without a start date', () => {
    const { startdate: _s, ...noDate } = run!;
    const { items, rejected } = toExercise(noDate);
    expect(items).toEqual([]);
    expect(rejected[0]?.reason).toBe('workout has no readable startdate: absent');
  });

  it('rejects impossible values with the reason', () => {
    expect(toExercise(workout({ enddate: run!.startdate })).rejected[0]).toMatchObject({
      externalId: '3172587843',
      reason: expect.stringMatching(/^exercise durationSeconds 0 is impossible/),
    });
    expect(toExercise(workout({ data: { calories: -5 } })).rejected[0]?.reason).toMatch(
      /^exercise calories -5 is impossible/,
    );
    expect(toExercise(workout({ data: {} })).rejected[0]?.reason).toMatch(/needs calories/);
  });
});
