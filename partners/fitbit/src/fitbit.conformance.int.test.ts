import type { DataKind } from '@healthsync/contracts';
import { describeConformance } from '@healthsync/partner-kit/conformance';
import { api } from './api.js';
import { addDays, type FitbitFakeHandle, localDateTime, startFake } from './fake/index.js';

/** Partner-side items for a user, dated in the last days (what the polls read first). */
function seed(fake: FitbitFakeHandle, userId: string, kind: DataKind, count: number) {
  const today = localDateTime(new Date(), fake.data.profile(userId).offsetMinutes).slice(0, 10);
  for (let i = 0; i < count; i++) {
    const date = addDays(today, -(i % 5) - 1);
    const time = `${String(6 + Math.floor(i / 5)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
    if (kind === 'measurement')
      fake.data.addBody(fake.data.weight, userId, { date, time, value: 70 + i / 10, source: 'Aria' });
    if (kind === 'exercise')
      fake.data.activities.insert(userId, {
        activityId: 90009,
        activityName: 'Run',
        calories: 300 + i,
        durationMs: 1_800_000,
        distanceKm: 5,
        start: `${date}T${time}`,
        logType: 'mobile_run',
      });
    if (kind === 'food')
      fake.data.foods.insert(userId, {
        date,
        name: `Meal ${i}`,
        foodId: 600_000 + i,
        mealTypeId: 3,
        unitId: 304,
        amount: 1,
        calories: 400 + i,
        carbs: 40,
        fat: 12,
        fiber: 3,
        protein: 20,
        sodium: 300,
      });
  }
}

// Food logs carry a date only (placed at 12:00 local): the round-trip sample is at noon.
const noon = `${new Date().toISOString().slice(0, 10)}T12:00:00+00:00`;

describeConformance<FitbitFakeHandle>({
  api,
  startFake: (options) => startFake({ ...options, seed: false }),
  pagination: {
    kind: 'exercise',
    count: 8,
    seed,
    pageSize: (fake, size) => {
      fake.data.activityPageCap = size;
    },
  },
  failures: { reportsDelay: true },
  roundTrip: {
    samples: {
      food: {
        kind: 'food',
        name: 'Conformance apple',
        meal: 'snack',
        consumedAt: noon,
        utcOffsetMinutes: 0,
        calories: 95,
      },
    },
  },
  webhook: { kind: 'measurement', signed: true },
});
