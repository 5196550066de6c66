import type { DataKind } from '@healthsync/contracts';
import { describeConformance } from '@healthsync/partner-kit/conformance';
import { api } from './api.js';
import { type StravaFakeHandle, startFake } from './fake/index.js';

/** Partner-side items for an athlete: activities in the last days, or a profile weight. */
function seed(fake: StravaFakeHandle, athleteId: string, kind: DataKind, count: number) {
  const now = Date.now();
  if (kind === 'measurement') {
    const athlete = fake.data.athlete(athleteId);
    athlete.weight = 70 + count / 10;
    athlete.updatedAt = new Date(now - 60_000);
    return;
  }
  for (let i = 0; i < count; i++) {
    const start = new Date(Math.floor((now - (i + 1) * 3_600_000) / 1000) * 1000);
    fake.data.activities.insert(athleteId, {
      name: `Seeded run ${i}`,
      sportType: 'Run',
      start,
      offsetMinutes: 60,
      timezone: 'Europe/Paris',
      elapsedTime: 1800 + i,
      movingTime: 1700,
      distance: 5000 + i,
      calories: 350 + i,
      description: '',
      trainer: false,
      commute: false,
      manual: false,
    });
  }
}

describeConformance<StravaFakeHandle>({
  api,
  // The suite's connections share the fake's per-application windows: widen them here (the
  // windows themselves are tested in fake.int.test.ts).
  startFake: (options) =>
    startFake({ ...options, seed: false, limits: { overall: [10_000, 100_000], read: [10_000, 100_000] } }),
  // More than one page of 30 (the list has no calories: every activity is read in full).
  pagination: { kind: 'exercise', count: 65, seed },
  roundTrip: {
    // Strava keeps no date for the profile weight (it is dated when it changes): the sample says
    // so. Its Create Activity takes no calories (its own estimate comes back): the API's roundTrip.
    samples: {
      measurement: {
        kind: 'measurement',
        type: 'weight',
        value: 72.5,
        unit: 'kg',
        measuredAt: new Date().toISOString(),
        utcOffsetMinutes: 0,
      },
    },
  },
  webhook: { kind: 'exercise', signed: false },
});
