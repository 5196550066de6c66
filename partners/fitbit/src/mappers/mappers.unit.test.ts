import { Exercise, Food, Measurement } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import activityList from '../fixtures/activity-list.json' with { type: 'json' };
import fatLogs from '../fixtures/fat-logs.json' with { type: 'json' };
import foodLog from '../fixtures/food-log.json' with { type: 'json' };
import weightLogs from '../fixtures/weight-logs.json' with { type: 'json' };
import { fromExercise } from './from-exercise.js';
import { fromFood } from './from-food.js';
import { fromMeasurement } from './from-measurement.js';
import { localIso, wallClock } from './mapped.js';
import { toExercise } from './to-exercise.js';
import { toFood } from './to-food.js';
import { toBodyFat, toWeight } from './to-measurement.js';

const rejection = (m: { ok: boolean; reason?: string }) => (m.ok ? undefined : m.reason);

describe('to-measurement', () => {
  it('maps a weight log in the profile offset, keyed weight:<logId>', () => {
    const m = toWeight(weightLogs.weight[0], 60);
    expect(m).toEqual({
      ok: true,
      value: {
        externalId: 'weight:1431541739000',
        data: {
          kind: 'measurement',
          type: 'weight',
          value: 56.7,
          unit: 'kg',
          measuredAt: '2015-05-13T18:28:59+01:00',
          utcOffsetMinutes: 60,
          source: { value: 56.7, unit: 'kg' },
        },
      },
    });
  });

  it('maps a body fat log keyed fat:<logId>, so it never collides with the weight log of the same id', () => {
    const m = toBodyFat(fatLogs.fat[0], -300);
    expect(m.ok && m.value.externalId).toBe('fat:1553069700000');
    expect(m.ok && m.value.data).toMatchObject({
      type: 'body_fat',
      value: 15,
      unit: '%',
      measuredAt: '2019-03-20T08:15:00-05:00',
    });
  });

  it('places a log without a time at 23:59:59, as Fitbit does', () => {
    const m = toWeight({ logId: 1, date: '2024-03-01', weight: 70 }, 0);
    expect(m.ok && m.value.data.measuredAt).toBe('2024-03-01T23:59:59+00:00');
  });

  it('rejects a log without a date, a non-numeric weight and an impossible value, with reasons', () => {
    expect(rejection(toWeight({ logId: 1, time: '08:00:00', weight: 70 }, 0))).toMatch(/date/);
    expect(rejection(toWeight({ logId: 1, date: '2024-03-01', weight: '70' }, 0))).toMatch(/weight/);
    expect(rejection(toWeight({ logId: 1, date: '2024-03-01', weight: 7000 }, 0))).toMatch(/outside/);
    expect(rejection(toBodyFat({ logId: 1, date: '2024-03-01', fat: 0 }, 0))).toMatch(/outside/);
    expect(rejection(toWeight({ logId: -3, date: '2024-03-01', weight: 70 }, 0))).toMatch(/logId/);
  });
});

describe('from-measurement', () => {
  const at = { measuredAt: '2024-03-01T07:30:00Z', utcOffsetMinutes: 120 } as const;

  it('logs weight in kg with the local date and time (no Accept-Language: metric)', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'weight', value: 81.456, unit: 'kg', ...at });
    expect(fromMeasurement(m)).toEqual({
      ok: true,
      value: { log: 'weight', params: { weight: '81.46', date: '2024-03-01', time: '09:30:00' } },
    });
  });

  it('logs body fat to the fat log', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'body_fat', value: 21.5, unit: '%', ...at });
    expect(fromMeasurement(m)).toMatchObject({ ok: true, value: { log: 'fat', params: { fat: '21.50' } } });
  });

  it('refuses a measurement type Fitbit has no log for, with the reason', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'height', value: 180, unit: 'cm', ...at });
    expect(rejection(fromMeasurement(m))).toBe('Fitbit does not accept height measurements');
  });

  it('round-trips: what we log reads back as the same measurement', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'weight', value: 72.5, unit: 'kg', ...at });
    const sent = fromMeasurement(m);
    if (!sent.ok) throw new Error(sent.reason);
    const back = toWeight(
      { logId: 5, date: sent.value.params.date, time: sent.value.params.time, weight: 72.5 },
      120,
    );
    expect(back.ok && Date.parse(back.value.data.measuredAt)).toBe(Date.parse(m.measuredAt));
  });
});

describe('to-exercise', () => {
  it('maps an activity-list entry: offset from startTime, ms -> s, km -> m, lastModified as version', () => {
    expect(toExercise(activityList.activities[0])).toEqual({
      ok: true,
      value: {
        externalId: '1234',
        externalVersion: '2019-01-04T19:31:15.000Z',
        data: {
          kind: 'exercise',
          activityType: 'walking',
          name: 'Walk',
          startedAt: '2019-01-03T12:08:42.000-08:00',
          utcOffsetMinutes: -480,
          durationSeconds: 1800,
          calories: 210,
          distanceMeters: 2100,
        },
      },
    });
  });

  it('rejects an activity without calories, without a start time, in miles, or of zero duration', () => {
    const a = activityList.activities[0]!;
    const { calories: _c, ...noCalories } = a;
    const { startTime: _s, ...noStart } = a;
    expect(rejection(toExercise(noCalories))).toMatch(/calories/);
    expect(rejection(toExercise(noStart))).toMatch(/startTime/);
    expect(rejection(toExercise({ ...a, distanceUnit: 'Mile' }))).toMatch(/Mile/);
    expect(rejection(toExercise({ ...a, duration: 0 }))).toMatch(/durationSeconds/);
    expect(rejection(toExercise({ ...a, calories: 90_000 }))).toMatch(/calories/);
  });
});

describe('from-exercise', () => {
  const base = {
    kind: 'exercise',
    activityType: 'running',
    name: 'Morning run',
    startedAt: '2024-03-01T06:15:00+01:00',
    utcOffsetMinutes: 60,
    durationSeconds: 2700,
  } as const;

  it('logs a custom activity with manual calories, local start, duration in ms and km', () => {
    expect(fromExercise(Exercise.parse({ ...base, calories: 420.4, distanceMeters: 8000 }))).toEqual({
      ok: true,
      value: {
        activityName: 'Morning run',
        manualCalories: '420',
        startTime: '06:15:00',
        durationMillis: '2700000',
        date: '2024-03-01',
        distance: '8.000',
      },
    });
  });

  it('derives calories from calories per hour', () => {
    const sent = fromExercise(Exercise.parse({ ...base, caloriesPerHour: 600 }));
    expect(sent.ok && sent.value.manualCalories).toBe('450');
  });

  it('refuses an exercise with neither calories nor calories per hour', () => {
    const e: Exercise = { ...base };
    expect(rejection(fromExercise(e))).toMatch(/calories/);
  });
});

describe('to-food', () => {
  it('maps a food log: meal type, calories and macros, at noon local time', () => {
    expect(toFood(foodLog.foods[0], 120)).toEqual({
      ok: true,
      value: {
        externalId: '19248009524',
        data: {
          kind: 'food',
          name: 'Tomato soup',
          meal: 'lunch',
          consumedAt: '2019-09-18T12:00:00+02:00',
          utcOffsetMinutes: 120,
          calories: 44,
          proteinGrams: 0.4,
          fatGrams: 0,
          carbsGrams: 10.8,
        },
      },
    });
  });

  it('maps snacks and Anytime to the app meals', () => {
    const f = foodLog.foods[0]!;
    const meal = (mealTypeId: number) => {
      const m = toFood({ ...f, loggedFood: { ...f.loggedFood, mealTypeId } }, 0);
      return m.ok ? m.value.data.meal : m.reason;
    };
    expect([1, 2, 3, 4, 5, 7].map(meal)).toEqual(['breakfast', 'snack', 'lunch', 'snack', 'dinner', 'other']);
  });

  it('rejects a food log without calories, without a date, or with impossible calories', () => {
    const f = foodLog.foods[0]!;
    const { calories: _c, ...loggedFood } = f.loggedFood;
    expect(rejection(toFood({ ...f, loggedFood, nutritionalValues: { protein: 1 } }, 0))).toBe(
      'food log has no calories',
    );
    const { logDate: _d, ...noDate } = f;
    expect(rejection(toFood(noDate, 0))).toMatch(/logDate/);
    expect(rejection(toFood({ ...f, nutritionalValues: { calories: -5 } }, 0))).toMatch(/calories/);
  });
});

describe('from-food', () => {
  it('logs a custom food as one serving with calories, meal type and macros', () => {
    const f = Food.parse({
      kind: 'food',
      name: 'Porridge',
      meal: 'breakfast',
      consumedAt: '2024-03-01T23:30:00-03:00',
      utcOffsetMinutes: -180,
      calories: 310.6,
      proteinGrams: 11,
      carbsGrams: 54,
    });
    expect(fromFood(f)).toEqual({
      foodName: 'Porridge',
      mealTypeId: '1',
      unitId: '304',
      amount: '1.00',
      date: '2024-03-01',
      calories: '311',
      protein: '11',
      totalCarbohydrate: '54',
    });
  });
});

describe('time helpers', () => {
  it('keeps the wall clock of the offset, across midnight', () => {
    expect(wallClock('2024-03-01T23:30:00Z', 90)).toEqual({ date: '2024-03-02', time: '01:00:00' });
    expect(localIso('2024-03-01', '08:15', -570)).toBe('2024-03-01T08:15:00-09:30');
  });
});
