import type { DataKind } from '@healthsync/contracts';
import { describeConformance } from '@healthsync/partner-kit/conformance';
import { formatLocalTime, type ResourceKey, type RunKeeperFakeHandle, startFake } from './fake/index.js';
import { api } from './index.js';

const RESOURCE: Record<DataKind, ResourceKey> = {
  exercise: 'fitness_activities',
  measurement: 'weight',
  food: 'nutrition',
};

/** `count` real-shaped items of a kind, one a day going back from yesterday. */
function seed(fake: RunKeeperFakeHandle, userId: string, kind: DataKind, count: number): void {
  for (let i = 1; i <= count; i++) {
    const at = formatLocalTime(Date.now() - i * 86_400_000);
    const item =
      kind === 'exercise'
        ? {
            type: 'Hiking',
            start_time: at,
            duration: 3600 + i,
            total_distance: 6000,
            total_calories: 420,
            source: 'RunKeeper',
          }
        : kind === 'measurement'
          ? { timestamp: at, weight: 70 + i / 10, fat_percent: 20, source: 'RunKeeper' }
          : { timestamp: at, calories: 500 + i, protein: 20, source: 'MyFitnessPal' };
    fake.data[RESOURCE[kind]].insert(userId, item);
  }
}

describeConformance<RunKeeperFakeHandle>({
  api,
  startFake,
  fakeOptions: { seed: 11 },
  failures: { reportsDelay: true },
  pagination: { kind: 'exercise', count: 7, seed, pageSize: (fake, size) => fake.setMaxPageSize(size) },
});
