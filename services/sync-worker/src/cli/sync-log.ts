// Operator CLI: `pnpm --filter @healthsync/sync-worker sync-log <partner> <userId> [limit]`
// prints the newest syncs of one connection: what was pushed, polled, rejected and why.
import { createDb } from '@healthsync/platform';
import { recentSyncs } from '../repositories/sync-log.repository.js';

const [partner, userId, limit] = process.argv.slice(2);
if (!partner || !userId) {
  console.error('usage: sync-log <partner> <userId> [limit]');
  process.exit(2);
}
const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1 });
try {
  const rows = await recentSyncs(db, partner, userId, Number(limit ?? 20));
  if (rows.length === 0)
    console.log(
      `no syncs of ${partner} recorded for ${userId}: is the user connected, and has the scheduler dispatched?`,
    );
  for (const r of rows) {
    console.log(
      `${r.finished_at.toISOString()} fence=${r.fence} ${r.outcome.padEnd(8)} pushed=${r.pushed} polled=${r.polled_new} rejected=${r.rejected.length}` +
        (r.error_code ? ` error=${r.error_code}: ${r.error_message}` : ''),
    );
    for (const rej of r.rejected)
      console.log(`    rejected ${rej.kind} ${rej.externalId ?? ''}: ${rej.reason}`);
    for (const f of r.push_failures)
      console.log(
        `    push failed ${f.kind} ${f.appRowId ?? ''}: ${f.code} ${f.message}${f.parked ? ' (parked)' : ''}`,
      );
  }
} finally {
  await db.destroy();
}
