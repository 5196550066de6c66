import type { Exercise } from '@healthsync/partner-kit';
import { pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import feed from '../fixtures/fitness-activity-feed.json' with { type: 'json' };
import { EXERCISE } from './to-exercise.js';

const [cycling, running] = feed.items;
/** The mapper as a poll runs it: mapped, then validated against the app's container. */
const map = (raw: unknown) => pollPage('exercise', [raw], EXERCISE.toApp);

describe('EXERCISE.toApp', () => {
  it('maps a RunKeeper-recorded activity with its UTC offset, metres and kcal', () => {
    expect(map(cycling)).toEqual({
      more: false,
      items: [
        {
          externalId: '/fitnessActivities/465161536',
          data: {
            kind: 'exercise',
            activityType: 'cycling',
            name: 'Cycling',
            startedAt: '2014-10-19T13:17:27+02:00',
            utcOffsetMinutes: 120,
            durationSeconds: 4365,
            calories: 211,
            distanceMeters: 10128.7131871337,
          },
        },
      ],
      rejected: [],
    });
  });

  it('reads API-entered activities (no utc_offset, one-digit day) as UTC and takes notes as the name', () => {
    const [item] = map(running).items;
    expect(item?.data).toMatchObject({
      startedAt: '2011-01-01T07:30:00+00:00',
      name: 'Morning run',
      calories: 350,
    });
  });

  it('rejects an activity without a start time, with a reason', () => {
    const out = map({ ...cycling, start_time: undefined });
    expect(out.items).toEqual([]);
    expect(out.rejected[0]).toMatchObject({
      externalId: '/fitnessActivities/465161536',
      reason: expect.stringMatching(/start_time/),
    });
  });

  it('rejects an impossible date', () => {
    expect(map({ ...cycling, start_time: 'Fri, 31 Feb 2014 10:00:00' }).rejected[0]?.reason).toMatch(
      /start_time/,
    );
  });

  it('rejects an activity without calories: the app needs calories or calories per hour', () => {
    expect(map({ ...cycling, total_calories: null }).rejected[0]?.reason).toMatch(/calories/);
  });

  it('rejects impossible values (negative duration, negative distance)', () => {
    expect(map({ ...cycling, duration: -60 }).rejected[0]?.reason).toMatch(/durationSeconds/);
    expect(map({ ...cycling, total_distance: -5 }).rejected[0]?.reason).toMatch(/distanceMeters/);
  });

  it('rejects a payload that is not an activity', () => {
    expect(map({ hello: 1 }).rejected[0]?.reason).toBe('fitness activity has no readable start_time: absent');
  });
});

const run: Exercise = {
  kind: 'exercise',
  activityType: 'mountain_biking',
  name: 'Trail loop',
  startedAt: '2026-11-20T07:30:00+02:00',
  utcOffsetMinutes: 120,
  durationSeconds: 3600,
  calories: 640,
  distanceMeters: 21000,
};

describe('EXERCISE.fromApp', () => {
  it('writes local time without zone, metres, kcal, and never posts to social networks', () => {
    expect(EXERCISE.fromApp(run)).toEqual({
      type: 'Mountain Biking',
      start_time: 'Fri, 20 Nov 2026 07:30:00',
      duration: 3600,
      total_calories: 640,
      total_distance: 21000,
      notes: 'Trail loop',
      post_to_facebook: false,
      post_to_twitter: false,
    });
  });

  it('turns calories per hour into total calories and unknown types into Other', () => {
    const { calories: _c, ...rest } = run;
    const body = EXERCISE.fromApp({
      ...rest,
      activityType: 'underwater hockey',
      caloriesPerHour: 500,
      durationSeconds: 1800,
    });
    expect(body).toMatchObject({ type: 'Other', total_calories: 250 });
  });

  it('round-trips through the feed shape (offset-less local time)', () => {
    const body = EXERCISE.fromApp({ ...run, startedAt: '2026-11-20T07:30:00+00:00', utcOffsetMinutes: 0 });
    const back = map({ ...body, uri: '/fitnessActivities/1' }).items[0]?.data;
    expect(back).toEqual({ ...run, startedAt: '2026-11-20T07:30:00+00:00', utcOffsetMinutes: 0 });
  });
});
