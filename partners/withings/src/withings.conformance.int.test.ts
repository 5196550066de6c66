import type { DataKind } from '@healthsync/contracts';
import { describeConformance } from '@healthsync/partner-kit/conformance';
import { api } from './api.js';
import { startFake, type WithingsFakeHandle } from './fake/index.js';

/** Partner-side data for a user: weigh-ins (weight + fat ratio) or workouts over the last days. */
function seed(fake: WithingsFakeHandle, userId: string, kind: DataKind, count: number) {
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const date = now - (i + 1) * 3600;
    if (kind === 'measurement')
      fake.store.addGroup(Number(userId), { date, values: { 1: 70 + i / 10, 6: 20 + i / 10 } });
    if (kind === 'exercise')
      fake.store.addWorkout(Number(userId), {
        category: 2,
        startdate: date,
        enddate: date + 1800,
        calories: 300 + i,
        distance: 5000,
      });
  }
}

describeConformance<WithingsFakeHandle>({
  api,
  startFake: (options) => startFake({ ...options, demoUsers: 0 }),
  pagination: {
    kind: 'measurement',
    count: 8,
    seed,
    pageSize: (fake, size) => fake.setPageSize(size ?? 200),
  },
  webhook: { kind: 'measurement', signed: false },
});
