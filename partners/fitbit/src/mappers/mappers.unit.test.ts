import { Exercise, Food, type Mapped, Measurement, pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import activityList from '../fixtures/activity-list.json' with { type: 'json' };
import fatLogs from '../fixtures/fat-logs.json' with { type: 'json' };
import foodLog from '../fixtures/food-log.json' with { type: 'json' };
import weightLogs from '../fixtures/weight-logs.json' with { type: 'json' };
import { EXERCISE } from './to-exercise.js';
import { FOOD } from './to-food.js';
import { BODY_LOGS } from './to-measurement.js';

// Mappers hand candidates to the kit's pollPage, which validates them against the containers:
// the tests go through it so they see exactly what a poll stores or rejects.
const kindOf = { measurement: 'measurement', exercise: 'exercise', food: 'food' } as const;
function run(kind: keyof typeof kindOf, raw: unknown, map: (raw: unknown) => Mapped | null) {
  const page = pollPage(kind, [raw], map);
  return { item: page.items[0], reason: page.rejected[0]?.reason };
}
const weight = (raw: unknown, offset = 0) =>
  run('measurement', raw, (r) => BODY_LOGS.toApp.weight(r, offset));
const fat = (raw: unknown, offset = 0) => run('measurement', raw, (r) => BODY_LOGS.toApp.fat(r, offset));
const exercise = (raw: unknown) => run('exercise', raw, EXERCISE.toApp);
const food = (raw: unknown, offset = 0) => run('food', raw, (r) => FOOD.toApp(r, offset));

describe('to-measurement', () => {
  it('maps a weight log in the profile offset, keyed weight:<logId>', () => {
    expect(weight(weightLogs.weight[0], 60).item).toEqual({
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
    });
  });

  it('maps a body fat log keyed fat:<logId>, so it never collides with the weight log of the same id', () => {
    const { item } = fat(fatLogs.fat[0], -300);
    expect(item?.externalId).toBe('fat:1553069700000');
    expect(item?.data).toMatchObject({
      type: 'body_fat',
      value: 15,
      unit: '%',
      measuredAt: '2019-03-20T08:15:00-05:00',
    });
  });

  it('places a log without a time at 23:59:59, as Fitbit does', () => {
    expect(weight({ logId: 1, date: '2024-03-01', weight: 70 }).item?.data).toMatchObject({
      measuredAt: '2024-03-01T23:59:59+00:00',
    });
  });

  it('rejects a log without a date, a non-numeric weight, an impossible date and impossible values, with reasons', () => {
    expect(weight({ logId: 1, time: '08:00:00', weight: 70 }).reason).toBe(
      'weight log has no readable date: absent',
    );
    expect(weight({ logId: 1, date: '2024-03-01', weight: '70' }).reason).toMatch(/weight log: weight/);
    expect(weight({ logId: 1, date: '2024-02-30', weight: 70 }).reason).toMatch(/impossible date/);
    expect(weight({ logId: 1, date: '2024-03-01', weight: 7000 }).reason).toMatch(/outside 1\.\.650/);
    expect(fat({ logId: 1, date: '2024-03-01', fat: 0 }).reason).toMatch(/outside 1\.\.75/);
    expect(weight({ logId: -3, date: '2024-03-01', weight: 70 }).reason).toMatch(/logId/);
    expect(fat({ logId: 3, date: '2024-03-01', weight: 70 }).reason).toBe('fat log has no fat');
  });
});

describe('from-measurement', () => {
  const fromMeasurement = BODY_LOGS.fromApp;
  const at = { measuredAt: '2024-03-01T07:30:00Z', utcOffsetMinutes: 120 } as const;

  it('logs weight in kg with the local date and time (no Accept-Language: metric)', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'weight', value: 81.456, unit: 'kg', ...at });
    expect(fromMeasurement(m)).toEqual({ weight: '81.46', date: '2024-03-01', time: '09:30:00' });
  });

  it('logs body fat to the fat log', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'body_fat', value: 21.5, unit: '%', ...at });
    expect(fromMeasurement(m)).toEqual({ fat: '21.50', date: '2024-03-01', time: '09:30:00' });
  });

  it('refuses a measurement type Fitbit has no log for, with the reason', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'height', value: 180, unit: 'cm', ...at });
    expect(fromMeasurement(m)).toEqual({ reject: 'its logs hold weight and body fat only, not height' });
  });

  it('round-trips: what we log reads back as the same moment', () => {
    const m = Measurement.parse({ kind: 'measurement', type: 'weight', value: 72.5, unit: 'kg', ...at });
    const sent = fromMeasurement(m);
    if ('reject' in sent) throw new Error(String(sent.reject));
    const back = weight({ logId: 5, date: sent.date, time: sent.time, weight: 72.5 }, 120).item;
    expect(Date.parse(back?.data.kind === 'measurement' ? back.data.measuredAt : '')).toBe(
      Date.parse(m.measuredAt),
    );
  });
});

describe('to-exercise', () => {
  it('maps an activity-list entry: offset from startTime, ms -> s, km -> m, lastModified as version', () => {
    expect(exercise(activityList.activities[0]).item).toEqual({
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
    });
  });

  it("reads Fitbit's activity names as the app's types, anything else as other", () => {
    const a = activityList.activities[0]!;
    const type = (activityName: string) => {
      const { item } = exercise({ ...a, activityName });
      return item?.data.kind === 'exercise' ? item.data.activityType : undefined;
    };
    const names = [
      'Walk',
      'Run',
      'Treadmill',
      'Bike',
      'Outdoor Bike',
      'Swim',
      'Hike',
      'Yoga',
      'Elliptical',
      'Weights',
    ];
    expect(names.map(type)).toEqual([
      'walking',
      'running',
      'running',
      'cycling',
      'cycling',
      'swimming',
      'hiking',
      'yoga',
      'elliptical',
      'other',
    ]);
  });

  it('converts a distance in miles (an en_US read) to metres', () => {
    const a = activityList.activities[0]!;
    expect(exercise({ ...a, distance: 1, distanceUnit: 'Mile' }).item?.data).toMatchObject({
      distanceMeters: 1609,
    });
  });

  it('rejects an activity without calories, without a start time or offset, of zero duration or impossible calories', () => {
    const a = activityList.activities[0]!;
    const { calories: _c, ...noCalories } = a;
    const { startTime: _s, ...noStart } = a;
    expect(exercise(noCalories).reason).toMatch(/needs calories/);
    expect(exercise(noStart).reason).toBe('activity log has no readable startTime: absent');
    expect(exercise({ ...a, startTime: '2019-01-03T12:08:42.000' }).reason).toMatch(/startTime/);
    expect(exercise({ ...a, duration: 0 }).reason).toMatch(/durationSeconds/);
    expect(exercise({ ...a, calories: 90_000 }).reason).toMatch(/calories .* impossible/);
    expect(exercise({ ...a, distanceUnit: 'Parsec' }).reason).toMatch(/unknown length unit/);
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
    expect(EXERCISE.fromApp(Exercise.parse({ ...base, calories: 420.4, distanceMeters: 8000 }))).toEqual({
      activityName: 'Morning run',
      manualCalories: 420,
      startTime: '06:15:00',
      durationMillis: 2_700_000,
      date: '2024-03-01',
      distance: '8.000',
    });
  });

  it('derives calories from calories per hour', () => {
    expect(EXERCISE.fromApp(Exercise.parse({ ...base, caloriesPerHour: 600 }))).toMatchObject({
      manualCalories: 450,
    });
  });
});

describe('to-food', () => {
  it('maps a food log: meal type, calories and macros, at noon local time', () => {
    expect(food(foodLog.foods[0], 120).item).toEqual({
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
    });
  });

  it('maps snacks and Anytime to the app meals', () => {
    const f = foodLog.foods[0]!;
    const meal = (mealTypeId: number) => {
      const { item } = food({ ...f, loggedFood: { ...f.loggedFood, mealTypeId } });
      return item?.data.kind === 'food' ? item.data.meal : undefined;
    };
    expect([1, 2, 3, 4, 5, 7].map(meal)).toEqual(['breakfast', 'snack', 'lunch', 'snack', 'dinner', 'other']);
  });

  it('rejects a food log without calories, without a date, or with impossible calories', () => {
    const f = foodLog.foods[0]!;
    const { calories: _c, ...loggedFood } = f.loggedFood;
    expect(food({ ...f, loggedFood, nutritionalValues: { protein: 1 } }).reason).toBe('food has no calories');
    const { logDate: _d, ...noDate } = f;
    expect(food(noDate).reason).toBe('food log has no readable logDate: absent');
    expect(food({ ...f, nutritionalValues: { calories: -5 } }).reason).toMatch(/calories -5 is impossible/);
  });
});

describe('from-food', () => {
  it('logs a custom food as one serving with calories, meal type and macros on the local date', () => {
    const f = Food.parse({
      kind: 'food',
      name: 'Porridge',
      meal: 'breakfast',
      consumedAt: '2024-03-02T02:30:00Z',
      utcOffsetMinutes: -180,
      calories: 310.6,
      proteinGrams: 11,
      carbsGrams: 54,
    });
    expect(FOOD.fromApp(f)).toEqual({
      foodName: 'Porridge',
      mealTypeId: '1',
      unitId: '304',
      amount: '1.00',
      date: '2024-03-01',
      calories: 311,
      protein: 11,
      totalCarbohydrate: 54,
    });
  });
});
