import { describeConformance } from '@healthsync/partner-kit/conformance';
import { addDays, dayAt, type MovesFakeHandle, movesTime, startFake } from './fake/index.js';
import { api } from './index.js';

/** `count` walks with calories, ten days apart going back from yesterday: the backfill needs several ranges. */
function seed(fake: MovesFakeHandle, userId: string, _kind: string, count: number): void {
  const today = dayAt(Date.now(), 7200);
  for (let i = 0; i < count; i++) {
    const date = addDays(today, -1 - i * 10);
    const start = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T06:00:00Z`);
    const [startTime, endTime] = [movesTime(start, 7200), movesTime(start + 1_200_000, 7200)];
    const walk = {
      activity: 'walking',
      group: 'walking',
      manual: false,
      startTime,
      endTime,
      duration: 1200,
      distance: 1600,
      steps: 2100,
      calories: 85,
    };
    fake.putDay(userId, {
      date,
      segments: [{ type: 'move', startTime, endTime, activities: [walk], lastUpdate: `${date}T090000Z` }],
    });
  }
}

describeConformance<MovesFakeHandle>({
  api,
  startFake,
  fakeOptions: { seed: 12 },
  pagination: { kind: 'exercise', count: 7, seed },
  webhook: { kind: 'exercise', signed: true },
});
