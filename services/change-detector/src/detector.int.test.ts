import { migrateAppStore, softDelete, storeContainers } from '@healthsync/app-store';
import type { EventPayload } from '@healthsync/contracts';
import type { Exercise, Food, Measurement } from '@healthsync/partner-kit/declaration';
import { createDb, type Db, sql } from '@healthsync/platform';
import { createTestDatabase, type TestDatabase } from '@healthsync/platform/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateChangeDetector } from './db/migrations/index.js';
import { type BatchReport, detectOnce } from './detector.js';

type Payload = EventPayload<'shapeup.data-changed'>;

let t: TestDatabase;
const clients: pg.Client[] = [];

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 6 });
  await migrateAppStore(t.db);
  await migrateChangeDetector(t.db);
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  // Every test starts from an empty app and a detector that has never run.
  await sql`truncate shapeup.exercises, shapeup.food_entries, shapeup.body_measurements`.execute(t.db);
  await sql`truncate change_detector.positions, change_detector.recent_emits, change_detector.outbox, change_detector.event_log`.execute(
    t.db,
  );
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => {});
});

/** A separate connection, like another app server's. */
async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: t.url, application_name: 'shapeup-app' });
  await client.connect();
  clients.push(client);
  return client;
}

const weight = (value: number): Measurement => ({
  kind: 'measurement',
  type: 'weight',
  value,
  unit: 'kg',
  measuredAt: '2026-03-01T08:30:00+01:00',
  utcOffsetMinutes: 60,
});
const run: Exercise = {
  kind: 'exercise',
  activityType: 'running',
  name: 'Run',
  startedAt: '2026-03-01T18:00:00+01:00',
  utcOffsetMinutes: 60,
  durationSeconds: 1800,
  calories: 300,
};
const dinner: Food = {
  kind: 'food',
  name: 'Pasta',
  meal: 'dinner',
  consumedAt: '2026-03-01T19:00:00+01:00',
  utcOffsetMinutes: 60,
  calories: 700,
};

/** Every event in the outbox, in order. */
async function outbox(): Promise<{ routingKey: string; payload: Payload }[]> {
  const r = await sql<{ routing_key: string; payload: Payload }>`
    select routing_key, envelope->'payload' as payload from change_detector.outbox order by seq`.execute(
    t.db,
  );
  return r.rows.map((row) => ({ routingKey: row.routing_key, payload: row.payload }));
}

async function versionOf(table: string, id: string): Promise<string> {
  const r = await sql<{ v: string }>`
    select (extract(epoch from updated_at) * 1000000)::bigint::text as v from ${sql.table(`shapeup.${table}`)}
    where id = ${id}::bigint`.execute(t.db);
  return r.rows[0]!.v;
}

/** Insert `n` weights for one user through a raw connection, in one transaction. */
async function insertWeights(db: Db, n: number, user = 'u-bulk'): Promise<void> {
  await sql`
    insert into shapeup.body_measurements (user_id, kind, value, unit, measured_at, utc_offset_minutes)
    select ${user}, 'weight', 60 + g % 40, 'kg', now() - g * interval '1 minute', 0
    from generate_series(1, ${n}::int) as g`.execute(db);
}

function countById(events: { payload: Payload }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.payload.kind}:${e.payload.itemId}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('migration', () => {
  it('migrates to latest, and a second run changes nothing', async () => {
    expect(await migrateChangeDetector(t.db)).toEqual([]);
  });
});

describe('detectOnce', () => {
  it('emits inserted, updated and soft-deleted rows once each with the right op, and nothing when run again', async () => {
    const [m, e, f] = await storeContainers(t.db, [
      { userId: 'u-1', container: weight(72) },
      { userId: 'u-1', container: run },
      { userId: 'u-2', container: dinner },
    ]);
    const first = await detectOnce(t.db);
    expect(first.emitted).toBe(3);
    const events = await outbox();
    expect(events).toEqual(
      expect.arrayContaining([
        {
          routingKey: 'shapeup.data-changed.measurement',
          payload: {
            userId: 'u-1',
            kind: 'measurement',
            itemId: m,
            op: 'upsert',
            version: await versionOf('body_measurements', m!),
          },
        },
        {
          routingKey: 'shapeup.data-changed.exercise',
          payload: {
            userId: 'u-1',
            kind: 'exercise',
            itemId: e,
            op: 'upsert',
            version: await versionOf('exercises', e!),
          },
        },
        {
          routingKey: 'shapeup.data-changed.food',
          payload: {
            userId: 'u-2',
            kind: 'food',
            itemId: f,
            op: 'upsert',
            version: await versionOf('food_entries', f!),
          },
        },
      ]),
    );
    expect((await detectOnce(t.db)).emitted).toBe(0);

    await storeContainers(t.db, [{ userId: 'u-1', container: weight(71.5), appRowId: m! }]);
    await softDelete(t.db, 'food', [f!]);
    const second = await detectOnce(t.db);
    expect(second.emitted).toBe(2);
    const after = (await outbox()).slice(3).map((x) => x.payload);
    expect(after).toEqual(
      expect.arrayContaining([
        {
          userId: 'u-1',
          kind: 'measurement',
          itemId: m,
          op: 'upsert',
          version: await versionOf('body_measurements', m!),
        },
        {
          userId: 'u-2',
          kind: 'food',
          itemId: f,
          op: 'delete',
          version: await versionOf('food_entries', f!),
        },
      ]),
    );
    expect(BigInt(after.find((p) => p.kind === 'measurement')!.version)).toBeGreaterThan(
      BigInt(events[0]!.payload.version),
    );
    expect((await detectOnce(t.db)).emitted).toBe(0);
    expect(await outbox()).toHaveLength(5);
  });

  it('streams a large backlog in bounded batches with nothing missed or doubled', async () => {
    // 5,000 rows from one transaction share one updated_at; 1,500 more from another.
    await insertWeights(t.db, 5_000, 'u-a');
    await insertWeights(t.db, 1_500, 'u-b');
    const batches: BatchReport[] = [];
    const result = await detectOnce(t.db, { batchSize: 1_000, onBatch: (b) => void batches.push(b) });
    expect(result.emitted).toBe(6_500);
    expect(result.caughtUp).toBe(true);
    expect(Math.max(...batches.map((b) => b.emitted))).toBeLessThanOrEqual(1_000);
    expect(batches.filter((b) => b.kind === 'measurement').length).toBeGreaterThanOrEqual(7);
    const counts = countById(await outbox());
    expect(counts.size).toBe(6_500);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await detectOnce(t.db, { batchSize: 1_000 })).emitted).toBe(0);
  });

  it('LATE COMMIT: a row written by a transaction that began before the last read and committed after it is emitted, once', async () => {
    const app = await connect();
    await app.query('begin');
    await app.query(
      `insert into shapeup.exercises (user_id, activity_type, name, started_at, duration_seconds, calories)
       values ('u-late', 'running', 'Long transaction run', now(), 1800, 300)`,
    );
    // Rows committed meanwhile by others carry a later updated_at than the open transaction's row.
    await new Promise((r) => setTimeout(r, 20));
    const [early] = await storeContainers(t.db, [{ userId: 'u-other', container: run }]);
    // No safety margin: only the horizon (the open transaction's start) protects its row.
    const before = await detectOnce(t.db, { kinds: ['exercise'], safetyMarginMs: 0 });
    expect(before.emitted).toBe(1);
    expect(before.heldBy).toMatchObject({ applicationName: 'shapeup-app', state: 'idle in transaction' });
    expect((await outbox()).map((e) => e.payload.itemId)).toEqual([early]);

    await app.query('commit');
    const lateId = (
      await app.query<{ id: string }>(`select id::text as id from shapeup.exercises where user_id = 'u-late'`)
    ).rows[0]!.id;
    expect(BigInt(await versionOf('exercises', lateId))).toBeLessThan(
      BigInt(await versionOf('exercises', early!)),
    );
    const after = await detectOnce(t.db, { kinds: ['exercise'], safetyMarginMs: 0 });
    expect(after).toMatchObject({ emitted: 1, late: 1, heldBy: null });
    expect((await outbox()).map((e) => e.payload)).toEqual([
      expect.objectContaining({ itemId: early }),
      {
        userId: 'u-late',
        kind: 'exercise',
        itemId: lateId,
        op: 'upsert',
        version: await versionOf('exercises', lateId),
      },
    ]);
    expect((await detectOnce(t.db)).emitted).toBe(0);
  });

  it('LATE COMMIT: also when the open transaction only wrote after the read (it had no transaction id at the time)', async () => {
    const app = await connect();
    await app.query('begin');
    await app.query('select now()');
    await new Promise((r) => setTimeout(r, 20));
    await storeContainers(t.db, [{ userId: 'u-other', container: weight(80) }]);
    // A long wait with the transaction open: the safe position stays below its start.
    expect((await detectOnce(t.db, { safetyMarginMs: 0 })).emitted).toBe(1);
    await app.query(
      `insert into shapeup.body_measurements (user_id, kind, value, unit, measured_at) values ('u-late', 'weight', 70, 'kg', now())`,
    );
    expect((await detectOnce(t.db, { safetyMarginMs: 0 })).emitted).toBe(0);
    await app.query('commit');
    const after = await detectOnce(t.db, { safetyMarginMs: 0 });
    expect(after).toMatchObject({ emitted: 1, late: 1 });
    expect((await outbox()).at(-1)!.payload).toMatchObject({ userId: 'u-late', op: 'upsert' });
    expect((await detectOnce(t.db, { safetyMarginMs: 0 })).emitted).toBe(0);
  });

  it('names the transaction that holds the position back once it is older than the margin', async () => {
    const app = await connect();
    await app.query('begin');
    await app.query('select now()');
    await new Promise((r) => setTimeout(r, 60));
    const result = await detectOnce(t.db, { safetyMarginMs: 10, kinds: ['food'] });
    expect(result.heldBy).toMatchObject({ applicationName: 'shapeup-app', state: 'idle in transaction' });
    expect(result.heldBy!.transactionAgeSeconds).toBeGreaterThan(0.05);
    await app.query('rollback');
  });

  it('an update by an older transaction, whose updated_at goes backwards, is emitted with a higher version', async () => {
    const [id] = await storeContainers(t.db, [{ userId: 'u-1', container: weight(72) }]);
    const app = await connect();
    await app.query('begin');
    await app.query('select now()');
    await new Promise((r) => setTimeout(r, 20));
    await storeContainers(t.db, [{ userId: 'u-1', container: weight(73), appRowId: id! }]);
    await detectOnce(t.db, { safetyMarginMs: 0 });
    const sent = (await outbox()).map((e) => e.payload.version);
    await app.query(
      `update shapeup.body_measurements set value = 74, updated_at = now() where id = ${Number(id)}`,
    );
    await app.query('commit');
    const rowVersion = await versionOf('body_measurements', id!);
    expect(BigInt(rowVersion)).toBeLessThan(BigInt(sent.at(-1)!));
    expect((await detectOnce(t.db, { safetyMarginMs: 0 })).emitted).toBe(1);
    const last = (await outbox()).at(-1)!.payload;
    expect(last).toMatchObject({ itemId: id, op: 'upsert' });
    expect(BigInt(last.version)).toBe(BigInt(sent.at(-1)!) + 1n);
    expect((await detectOnce(t.db)).emitted).toBe(0);
  });

  it('a crash mid-way (the batch transaction dies) loses nothing and emits nothing twice', async () => {
    await insertWeights(t.db, 3_000);
    // The detector's own pool; its connection is killed under it, which the pool must survive.
    const pool = new pg.Pool({ connectionString: t.url, max: 2 });
    pool.on('connect', (client) => client.on('error', () => {}));
    const detectorDb: Db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
    const blocker = await connect();
    const killer = await connect();
    let killed: Promise<void> | undefined;
    const crashed = await detectOnce(detectorDb, {
      batchSize: 1_000,
      kinds: ['measurement'],
      onBatch: async () => {
        if (killed) return;
        // After the first committed batch, make the next one hang on the outbox, then kill its connection.
        await blocker.query('begin');
        await blocker.query('lock table change_detector.outbox in access exclusive mode');
        killed = (async () => {
          for (;;) {
            const waiting = await killer.query<{ pid: number }>(
              `select l.pid from pg_locks l where not l.granted and l.relation = 'change_detector.outbox'::regclass`,
            );
            if (waiting.rows[0]) {
              await killer.query('select pg_terminate_backend($1)', [waiting.rows[0].pid]);
              return;
            }
            await new Promise((r) => setTimeout(r, 10));
          }
        })();
      },
    }).catch((e: unknown) => e);
    expect(crashed).toBeInstanceOf(Error);
    await killed;
    await detectorDb.destroy();
    await blocker.query('rollback');
    expect(await outbox()).toHaveLength(1_000);

    // A fresh process resumes from the committed position.
    const restarted = createDb(t.url, { max: 2 });
    try {
      const resumed = await detectOnce(restarted, { batchSize: 1_000 });
      expect(resumed.emitted).toBe(2_000);
    } finally {
      await restarted.destroy();
    }
    const counts = countById(await outbox());
    expect(counts.size).toBe(3_000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('two detectors running at once emit each row once', async () => {
    await insertWeights(t.db, 2_500);
    await storeContainers(t.db, [
      { userId: 'u-1', container: run },
      { userId: 'u-1', container: dinner },
    ]);
    const other = createDb(t.url, { max: 2 });
    try {
      const [a, b] = await Promise.all([
        detectOnce(t.db, { batchSize: 300 }),
        detectOnce(other, { batchSize: 300 }),
      ]);
      expect(a.emitted + b.emitted).toBe(2_502);
    } finally {
      await other.destroy();
    }
    const counts = countById(await outbox());
    expect(counts.size).toBe(2_502);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('passes over a row no valid event can be built for, and goes on', async () => {
    await sql`
      insert into shapeup.body_measurements (user_id, kind, value, unit, measured_at)
      values (${'x'.repeat(200)}, 'weight', 70, 'kg', now())`.execute(t.db);
    const [ok] = await storeContainers(t.db, [{ userId: 'u-1', container: weight(70) }]);
    const result = await detectOnce(t.db);
    expect(result).toMatchObject({ emitted: 1, skipped: 1 });
    expect((await outbox()).map((e) => e.payload.itemId)).toEqual([ok]);
    expect((await detectOnce(t.db)).skipped).toBe(0);
  });

  it('startFrom "now" emits only changes made after the first run', async () => {
    await storeContainers(t.db, [{ userId: 'u-1', container: weight(70) }]);
    await new Promise((r) => setTimeout(r, 20));
    expect((await detectOnce(t.db, { startFrom: 'now', safetyMarginMs: 0 })).emitted).toBe(0);
    const [fresh] = await storeContainers(t.db, [{ userId: 'u-1', container: weight(71) }]);
    expect((await detectOnce(t.db, { startFrom: 'now', safetyMarginMs: 0 })).emitted).toBe(1);
    expect((await outbox()).map((e) => e.payload.itemId)).toEqual([fresh]);
  });

  it('keeps the overlap memory small: entries the safe position has passed are forgotten', async () => {
    await insertWeights(t.db, 500);
    await detectOnce(t.db, { safetyMarginMs: 0 });
    await new Promise((r) => setTimeout(r, 20));
    await detectOnce(t.db, { safetyMarginMs: 0 });
    const r = await sql<{ n: number }>`select count(*)::int as n from change_detector.recent_emits`.execute(
      t.db,
    );
    expect(r.rows[0]!.n).toBe(0);
    const p = await sql<{ behind: boolean }>`
      select safe_at < now() and safe_at >= cursor_at as behind from change_detector.positions where kind = 'measurement'`.execute(
      t.db,
    );
    expect(p.rows[0]!.behind).toBe(true);
  });
});
