import { Exercise, type Mapped, Measurement, pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import activity from '../fixtures/activity.json' with { type: 'json' };
import athlete from '../fixtures/athlete.json' with { type: 'json' };
import { fromExerciseUpdate } from './from-exercise.js';
import { fromMeasurement } from './from-measurement.js';
import { EXERCISE } from './to-exercise.js';
import { toWeight } from './to-measurement.js';

// Through the kit's pollPage, which validates candidates against the app's containers.
function run(kind: 'exercise' | 'measurement', raw: unknown, map: (raw: unknown) => Mapped | null) {
  const page = pollPage(kind, [raw], map);
  return {
    item: page.items[0],
    reason: page.rejected[0]?.reason,
    count: page.items.length + page.rejected.length,
  };
}

describe('to-exercise', () => {
  it('maps a DetailedActivity: UTC start at utc_offset (not start_date_local), seconds, metres, calories', () => {
    expect(run('exercise', activity, EXERCISE.toApp).item).toEqual({
      externalId: '154504250376823',
      data: {
        kind: 'exercise',
        activityType: 'cycling',
        name: 'Happy Friday',
        startedAt: '2018-05-02T05:15:09-07:00',
        utcOffsetMinutes: -420,
        durationSeconds: 4410,
        calories: 870.2,
        distanceMeters: 28099,
      },
    });
  });

  it('falls back to the legacy type, then to other', () => {
    const { sport_type: _s, ...legacy } = activity;
    const type = (raw: unknown) => {
      const d = run('exercise', raw, EXERCISE.toApp).item?.data;
      return d?.kind === 'exercise' ? d.activityType : undefined;
    };
    expect(type({ ...legacy, type: 'Run' })).toBe('running');
    expect(type({ ...activity, sport_type: 'Kitesurf' })).toBe('other');
  });

  it('rejects a summary without calories, an activity without a start date, a zero duration or impossible values', () => {
    const { calories: _c, ...summary } = activity;
    const { start_date: _d, ...noDate } = activity;
    expect(run('exercise', summary, EXERCISE.toApp).reason).toMatch(/needs calories/);
    expect(run('exercise', noDate, EXERCISE.toApp).reason).toMatch(
      /activity has no readable start_date: absent/,
    );
    expect(run('exercise', { ...activity, elapsed_time: 0 }, EXERCISE.toApp).reason).toMatch(
      /durationSeconds/,
    );
    expect(run('exercise', { ...activity, distance: 9e9 }, EXERCISE.toApp).reason).toMatch(
      /distanceMeters .* impossible/,
    );
    expect(run('exercise', { ...activity, id: 'abc' }, EXERCISE.toApp).reason).toMatch(/activity: id/);
  });
});

describe('from-exercise', () => {
  const e = Exercise.parse({
    kind: 'exercise',
    activityType: 'running',
    name: 'Lunch run',
    startedAt: '2024-03-01T11:05:00Z',
    utcOffsetMinutes: 60,
    durationSeconds: 1800,
    calories: 350,
    distanceMeters: 5200,
  });

  it('creates with the local start (no offset), elapsed seconds, metres and a sport type (the form encodes numbers)', () => {
    expect(EXERCISE.fromApp(e)).toEqual({
      name: 'Lunch run',
      sport_type: 'Run',
      start_date_local: '2024-03-01T12:05:00',
      elapsed_time: 1800,
      distance: 5200,
    });
  });

  it('updates only what Strava lets change (name and sport type)', () => {
    expect(fromExerciseUpdate({ ...e, activityType: 'rowing' })).toEqual({
      name: 'Lunch run',
      sport_type: 'Workout',
    });
  });
});

describe('to-measurement', () => {
  it('reads the profile weight as a reading dated and identified by updated_at', () => {
    expect(run('measurement', athlete, toWeight).item).toEqual({
      externalId: 'weight:2018-02-06T19:32:20.000Z',
      data: {
        kind: 'measurement',
        type: 'weight',
        value: 68.2,
        unit: 'kg',
        measuredAt: '2018-02-06T19:32:20.000Z',
        utcOffsetMinutes: 0,
        source: { value: 68.2, unit: 'kg' },
      },
    });
  });

  it('gives nothing for an athlete without a weight', () => {
    expect(run('measurement', { ...athlete, weight: null }, toWeight).count).toBe(0);
    expect(run('measurement', { ...athlete, weight: 0 }, toWeight).count).toBe(0);
  });

  it('rejects a profile without a date and an impossible weight', () => {
    const { updated_at: _u, ...noDate } = athlete;
    expect(run('measurement', noDate, toWeight).reason).toMatch(/athlete has no readable updated_at: absent/);
    expect(run('measurement', { ...athlete, weight: 1200 }, toWeight).reason).toMatch(/outside 1\.\.650/);
  });
});

describe('from-measurement', () => {
  const now = new Date('2024-03-10T12:00:00Z');
  const m = (over: Partial<Measurement>) =>
    Measurement.parse({
      kind: 'measurement',
      type: 'weight',
      value: 71.333,
      unit: 'kg',
      measuredAt: '2024-03-09T07:00:00+01:00',
      utcOffsetMinutes: 60,
      ...over,
    });

  it('sends a recent weight in kg', () => {
    expect(fromMeasurement(m({}), now)).toEqual({ weight: '71.33' });
  });

  it('refuses other measurement types and readings older than 7 days, with reasons', () => {
    expect(fromMeasurement(m({ type: 'body_fat', value: 20, unit: '%' }), now)).toEqual({
      reject: 'only weight is accepted, not body_fat',
    });
    expect(fromMeasurement(m({ measuredAt: '2024-03-01T07:00:00+01:00' }), now)).toEqual({
      reject: 'only the current weight is kept; this one is older than 7 days',
    });
  });
});
