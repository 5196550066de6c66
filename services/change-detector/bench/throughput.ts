/**
 * Backlog throughput of the change detector against the local PostgreSQL:
 *   pnpm --filter @healthsync/change-detector bench -- --users 500 --days 30 --batch 1000
 * Seeds a fresh database with demo data (every row is a pending change), then times detectOnce
 * draining it, and a second run that finds nothing. Prints rows/s; asserts nothing.
 */
import { parseArgs } from 'node:util';
import { migrateAppStore, seedDemo } from '@healthsync/app-store';
import { sql } from '@healthsync/platform';
import { createTestDatabase } from '@healthsync/platform/testing';
import pg from 'pg';
import { migrateChangeDetector } from '../src/db/migrations/index.js';
import { detectOnce } from '../src/detector.js';

const { values } = parseArgs({
  // `pnpm bench -- --users 10` passes the `--` through.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    users: { type: 'string' },
    days: { type: 'string' },
    batch: { type: 'string' },
    // The seed writes every row in one transaction (one shared updated_at per table, the worst
    // case for ordering); --spread gives each row its own updated_at, as a backlog written over time.
    spread: { type: 'boolean' },
    // Keep a session idle in a transaction opened before the seed: the safe position cannot pass
    // its start, so the whole backlog stays in the re-read window (the worst case for a run).
    hold: { type: 'boolean' },
  },
});
const users = Number(values.users ?? 500);
const days = Number(values.days ?? 30);
const batchSize = Number(values.batch ?? 1000);

const t = await createTestDatabase({ poolSize: 4 });
const holder = new pg.Client({ connectionString: t.url, application_name: 'bench-holder' });
try {
  await migrateAppStore(t.db);
  await migrateChangeDetector(t.db);
  if (values.hold) {
    await holder.connect();
    await holder.query('begin');
    await holder.query('select now()');
  }
  const seeded = await seedDemo(t.db, { users, days });
  const rows = seeded.exercises + seeded.foodEntries + seeded.measurements;
  if (values.spread) {
    for (const table of ['exercises', 'food_entries', 'body_measurements']) {
      await sql`update ${sql.table(`shapeup.${table}`)} set updated_at = now() - id * interval '1 millisecond'`.execute(
        t.db,
      );
    }
  }
  await sql`vacuum analyze`.execute(t.db);

  let started = performance.now();
  const drained = await detectOnce(t.db, { batchSize });
  const drainMs = performance.now() - started;

  started = performance.now();
  const idle = await detectOnce(t.db, { batchSize });
  const idleMs = performance.now() - started;

  const memory = await sql<{
    n: number;
  }>`select count(*)::int as n from change_detector.recent_emits`.execute(t.db);
  const outbox = await sql<{ n: number }>`select count(*)::int as n from change_detector.outbox`.execute(
    t.db,
  );
  process.stdout.write(
    `${JSON.stringify(
      {
        rows,
        spread: values.spread ?? false,
        hold: values.hold ?? false,
        batchSize,
        emitted: drained.emitted,
        outboxRows: outbox.rows[0]?.n,
        batches: drained.batches,
        drainSeconds: +(drainMs / 1000).toFixed(2),
        rowsPerSecond: Math.round(drained.emitted / (drainMs / 1000)),
        msPerBatch: +(drainMs / drained.batches).toFixed(1),
        idleRunMs: +idleMs.toFixed(1),
        idleRunEmitted: idle.emitted,
        overlapMemoryRows: memory.rows[0]?.n,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await holder.end().catch(() => {});
  await t.drop();
}
