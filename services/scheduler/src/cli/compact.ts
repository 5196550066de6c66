// `pnpm --filter @healthsync/scheduler compact`
// Snapshot the schedule projection and delete the event log it covers that is older than
// SCHEDULER_HISTORY_DAYS (the running scheduler does the same every SCHEDULER_COMPACT_EVERY_HOURS).
import { createDb, exitOnEnvError, migrate } from '@healthsync/platform';
import { compactLog } from '../compaction.js';
import { migrations, SCHEMA } from '../db/migrations/index.js';
import { loadProjectionEnv } from '../env.js';

const env = (() => {
  try {
    return loadProjectionEnv();
  } catch (e) {
    return exitOnEnvError(e);
  }
})();
const db = createDb(env.DATABASE_URL, { max: 3, applicationName: 'scheduler-compact' });
try {
  await migrate(db, { schema: SCHEMA, migrations });
  const started = performance.now();
  const r = await compactLog(db, { historyHours: env.SCHEDULER_HISTORY_DAYS * 24 });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `snapshot ${r.snapshot.id}: ${r.snapshot.rows} schedule rows, log up to ${r.snapshot.logSeq}; ` +
      `${r.snapshotsDropped} older snapshots dropped; ${r.logRowsDeleted} event-log rows older than ` +
      `${env.SCHEDULER_HISTORY_DAYS} days deleted, in ${ms} ms\n`,
  );
} finally {
  await db.destroy();
}
