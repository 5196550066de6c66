import { fromIsoBasic, pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import activities from '../fixtures/activities-daily.json' with { type: 'json' };
import storyline from '../fixtures/storyline-daily.json' with { type: 'json' };
import { MovesStoryline } from '../schemas.js';
import { activitiesOf, toExercise } from './to-exercise.js';

/** The mapper as a poll runs it: every activity of the days mapped, then validated. */
const map = (days: unknown) => pollPage('exercise', activitiesOf(MovesStoryline.parse(days)), toExercise);
const day = (activity: Record<string, unknown>) => [
  { date: '20121212', segments: [{ type: 'move', activities: [activity], lastUpdate: '20121212T080000Z' }] },
];
const walk: Record<string, unknown> = { ...activities[0]!.segments[0]!.activities[0]! };

describe('Moves times (ISO 8601 basic, read by the kit)', () => {
  it('reads local times with an offset or Z', () => {
    expect(fromIsoBasic('20121212T071430+0200')).toMatchObject({
      iso: '2012-12-12T07:14:30+02:00',
      utcOffsetMinutes: 120,
    });
    expect(fromIsoBasic('20130317T093000Z')).toMatchObject({
      iso: '2013-03-17T09:30:00+00:00',
      utcOffsetMinutes: 0,
    });
    expect(fromIsoBasic('20121212T071430-0330')?.utcOffsetMinutes).toBe(-210);
  });

  it('refuses impossible or malformed times', () => {
    expect(fromIsoBasic('20120230T071430Z')).toBeUndefined();
    expect(fromIsoBasic('20121212T251430Z')).toBeUndefined();
    expect(fromIsoBasic('2012-12-12T07:14:30Z')).toBeUndefined();
    expect(fromIsoBasic(undefined)).toBeUndefined();
  });
});

describe('toExercise (daily activities)', () => {
  it('maps an activity with calories; the segment lastUpdate is the version; transport is skipped', () => {
    const out = map(activities);
    expect(out.items).toEqual([
      {
        externalId: '20121212T071430+0200',
        externalVersion: '20121212T075000Z',
        data: {
          kind: 'exercise',
          activityType: 'walking',
          name: 'Walking',
          startedAt: '2012-12-12T07:14:30+02:00',
          utcOffsetMinutes: 120,
          durationSeconds: 782,
          calories: 99,
          distanceMeters: 1251,
        },
      },
    ]);
    // The run in the place segment has no calories: rejected, not half-stored.
    expect(out.rejected).toMatchObject([
      { externalId: '20121212T123000+0200', reason: expect.stringMatching(/no calories/) },
    ]);
  });

  it('reads storyline days the same way (places carry no activities)', () => {
    expect(map(storyline).items.map((i) => i.externalId)).toEqual(['20121212T071430+0200']);
  });

  it('reads v1 activity codes and takes the duration from start and end when absent', () => {
    const { duration: _d, ...rest } = walk;
    const [item] = map(day({ ...rest, activity: 'run', group: 'run' })).items;
    expect(item?.data).toMatchObject({ activityType: 'running', name: 'Running', durationSeconds: 782 });
    expect(map(day({ ...walk, activity: 'trp', group: 'trp' }))).toMatchObject({ items: [], rejected: [] });
  });

  it('rejects an activity without a start time', () => {
    expect(map(day({ ...walk, startTime: undefined })).rejected[0]?.reason).toMatch(/startTime/);
  });

  it('rejects impossible values', () => {
    expect(map(day({ ...walk, duration: -10 })).rejected[0]?.reason).toMatch(/durationSeconds/);
    expect(map(day({ ...walk, calories: 90_000 })).rejected[0]?.reason).toMatch(/calories/);
    expect(map(day({ ...walk, distance: -1 })).rejected[0]?.reason).toMatch(/distanceMeters/);
  });

  it('rejects an activity without calories: Moves never gives calories per hour', () => {
    const { calories: _c, ...noCalories } = walk;
    expect(map(day(noCalories))).toMatchObject({
      items: [],
      rejected: [{ externalId: '20121212T071430+0200', reason: expect.stringMatching(/no calories/) }],
    });
  });

  it('treats a day without data (segments null) as nothing', () => {
    expect(map([{ date: '20121213', segments: null }])).toMatchObject({ items: [], rejected: [] });
  });
});
