// Operator CLI: `pnpm --filter @healthsync/sync-worker sync-log <partner> <userId> [limit]` answers
// "why does this user get no data from this partner?": the connection as the worker sees it, a
// diagnosis, and the newest logged syncs (what was pushed, polled, rejected and why).
import { createDb } from '@healthsync/platform';
import { diagnose } from '../app.js';
import { findConnection } from '../repositories/connections.repository.js';
import { itemSummary } from '../repositories/sync-items.repository.js';
import { recentSyncs } from '../repositories/sync-log.repository.js';

const [partner, userId, limit] = process.argv.slice(2);
if (!partner || !userId) {
  console.error('usage: sync-log <partner> <userId> [limit]');
  process.exit(2);
}
const db = createDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1 });
try {
  const [connection, rows, items] = await Promise.all([
    findConnection(db, partner, userId),
    recentSyncs(db, partner, userId, Number(limit ?? 20)),
    itemSummary(db, partner, userId),
  ]);
  if (connection)
    console.log(
      `${partner} ${userId}: ${connection.status}, polls [${connection.poll_kinds.join(', ')}], pushes [${connection.push_kinds.join(', ')}], ` +
        `last sync ${connection.last_finished_at?.toISOString() ?? 'never'} (${connection.last_outcome ?? '-'}), ${connection.quiet_syncs} quiet since the last logged one`,
    );
  for (const line of diagnose(partner, connection, rows, items)) console.log(`  why: ${line}`);
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
