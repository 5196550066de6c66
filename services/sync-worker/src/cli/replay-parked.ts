// Operator CLI: `pnpm --filter @healthsync/sync-worker replay-parked <partner> [userId]` puts pushes
// that were parked after repeated failures back in line; the next sync of each user retries them.
import { createDb, createEvent, enqueueEvents, withTransaction } from '@healthsync/platform';
import { SCHEMA } from '../db/migrations/index.js';
import { replayParked } from '../repositories/sync-items.repository.js';

const [partner, userId] = process.argv.slice(2);
if (!partner) {
  console.error('usage: replay-parked <partner> [userId]');
  process.exit(2);
}
const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1 });
try {
  // The items and the sync.push-pending events that make the scheduler plan a push commit together.
  const replayed = await withTransaction(db, async (trx) => {
    const rows = await replayParked(trx, partner, userId);
    await enqueueEvents(
      trx,
      SCHEMA,
      rows.map((r) =>
        createEvent(
          'sync.push-pending',
          { userId: r.userId, partner, count: r.count },
          { source: 'sync-worker.replay-parked' },
        ),
      ),
    );
    return rows;
  });
  const n = replayed.reduce((sum, r) => sum + r.count, 0);
  console.log(
    `${n} parked item(s) of ${partner}${userId ? ` for ${userId}` : ''} are pending again (${replayed.length} user(s))`,
  );
} finally {
  await db.destroy();
}
