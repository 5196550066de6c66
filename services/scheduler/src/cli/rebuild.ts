// `pnpm --filter @healthsync/scheduler rebuild [--check]`
// Recompute the schedule projection from the event log (from its newest snapshot on) with the
// configured policy; --check only compares (exit 1 when the stored rows differ).
import { parseArgs } from 'node:util';
import { declarations } from '@healthsync/partners/declarations';
import { createDb, exitOnEnvError, migrate } from '@healthsync/platform';
import { migrations, SCHEMA } from '../db/migrations/index.js';
import { contextOptionsFromEnv, loadProjectionEnv } from '../env.js';
import { rebuild } from '../rebuild.js';
import { createSchedulerContext } from '../scheduler.js';

let check = false;
try {
  check = parseArgs({ options: { check: { type: 'boolean', default: false } } }).values.check ?? false;
} catch (error) {
  process.stderr.write(
    `${error instanceof Error ? error.message : String(error)}\nusage: rebuild [--check]\n`,
  );
  process.exit(64);
}
const env = (() => {
  try {
    return loadProjectionEnv();
  } catch (e) {
    return exitOnEnvError(e);
  }
})();
const ctx = createSchedulerContext({ declarations, ...contextOptionsFromEnv(env) });
const db = createDb(env.DATABASE_URL, { max: 2, applicationName: 'scheduler-rebuild' });
try {
  await migrate(db, { schema: SCHEMA, migrations });
  const started = performance.now();
  const report = await rebuild(db, ctx, { dryRun: check });
  const ms = Math.round(performance.now() - started);
  const from = report.snapshot
    ? `snapshot ${report.snapshot.id} (${report.snapshot.rows} rows, log up to ${report.snapshot.logSeq}, ${report.snapshot.takenAt.toISOString()}) + `
    : '';
  process.stdout.write(
    `${from}${report.events} events -> ${report.rows} schedule rows (policy ${ctx.policy.name}) in ${ms} ms; ` +
      `${report.differences} stored rows differed${report.written ? '; projection replaced' : ''}\n`,
  );
  for (const d of report.sample) process.stdout.write(`  ${d.partner} ${d.userId}: ${d.fields.join(', ')}\n`);
  process.exitCode = check && report.differences > 0 ? 1 : 0;
} finally {
  await db.destroy();
}
