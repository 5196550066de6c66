import type { Exercise, Food, Measurement } from '@healthsync/partner-kit/declaration';
import { sql, withTransaction } from '@healthsync/platform';
import { createTestDatabase, type TestDatabase } from '@healthsync/platform/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChangesAfter, rereadChanges } from './changes.js';
import { migrateAppStore } from './db/migrations/index.js';
import { seedDemo } from './seed.js';
import {
  AppRowNotFoundError,
  readAppRows,
  readContainers,
  StoreRejectedError,
  softDelete,
  storeContainers,
} from './store.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await migrateAppStore(t.db);
});
afterAll(async () => {
  await t?.drop();
});

const weight = (value: number, day = 1): Measurement => ({
  kind: 'measurement',
  type: 'weight',
  value,
  unit: 'kg',
  measuredAt: `2026-03-0${day}T08:30:00+01:00`,
  utcOffsetMinutes: 60,
});
const run: Exercise = {
  kind: 'exercise',
  activityType: 'running',
  name: 'Evening run',
  startedAt: '2026-03-01T18:00:00-05:00',
  utcOffsetMinutes: -300,
  durationSeconds: 1800,
  caloriesPerHour: 600,
  distanceMeters: 5012.5,
};
const lunch: Food = {
  kind: 'food',
  name: 'Chicken salad',
  meal: 'lunch',
  consumedAt: '2026-03-01T12:30:00+00:00',
  utcOffsetMinutes: 0,
  calories: 520,
  proteinGrams: 38,
};

async function count(table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`shapeup.${table}`)}`.execute(
    t.db,
  );
  return r.rows[0]!.n;
}

/** A second Kysely over the same database that counts the statements sent. */
function countingDb() {
  let statements = 0;
  const db = new Kysely<Record<string, never>>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.url, max: 1 }) }),
    log: (event) => {
      if (event.level === 'query') statements++;
    },
  });
  return {
    db,
    reset: () => (statements = 0),
    get statements() {
      return statements;
    },
  };
}

describe('migration', () => {
  it('migrates to latest, and a second run changes nothing', async () => {
    expect(await migrateAppStore(t.db)).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'shapeup' order by table_name`.execute(
      t.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['body_measurements', 'exercises', 'food_entries', 'users']),
    );
    const outbox =
      await sql`select 1 from information_schema.tables where table_schema = 'shapeup' and table_name = 'outbox'`.execute(
        t.db,
      );
    expect(outbox.rows).toHaveLength(0);
  });
});

describe('storeContainers', () => {
  it('inserts rows of every kind and returns their ids in input order; they read back as the same containers', async () => {
    const ids = await withTransaction(t.db, (trx) =>
      storeContainers(trx, [
        { userId: 'u-store', container: weight(72.4) },
        { userId: 'u-store', container: run },
        { userId: 'u-store', container: lunch },
        { userId: 'u-store', container: weight(72.1, 2) },
      ]),
    );
    expect(ids).toHaveLength(4);
    expect(ids[0]).not.toBe(ids[3]);
    const measurements = await readContainers(t.db, 'measurement', [ids[3]!, ids[0]!]);
    expect(measurements.map((m) => m.appRowId)).toEqual([ids[3], ids[0]]);
    expect(measurements[1]).toMatchObject({ userId: 'u-store', deleted: false, container: weight(72.4) });
    expect(measurements[0]!.container).toEqual(weight(72.1, 2));
    expect(measurements[0]!.version).toMatch(/^\d{16}$/);
    const [exercise] = await readContainers(t.db, 'exercise', [ids[1]!]);
    expect(exercise!.container).toEqual(run);
    const [food] = await readContainers(t.db, 'food', [ids[2]!]);
    expect(food!.container).toEqual(lunch);
  });

  it('batches: one statement per kind, whatever the number of rows', async () => {
    const counting = countingDb();
    try {
      const rows = Array.from({ length: 300 }, (_, i) => ({
        userId: `u-batch-${i % 7}`,
        container: i % 3 === 0 ? weight(60 + (i % 40)) : i % 3 === 1 ? run : lunch,
      }));
      counting.reset();
      const ids = await storeContainers(counting.db, rows);
      expect(counting.statements).toBe(3);
      expect(ids.every((id) => /^\d+$/.test(id))).toBe(true);
      counting.reset();
      const read = await readContainers(
        counting.db,
        'measurement',
        ids.filter((_, i) => i % 3 === 0),
      );
      expect(counting.statements).toBe(1);
      expect(read).toHaveLength(100);
      counting.reset();
      await softDelete(
        counting.db,
        'food',
        ids.filter((_, i) => i % 3 === 2),
      );
      expect(counting.statements).toBe(1);
    } finally {
      await counting.db.destroy();
    }
  });

  it('updates the given rows and moves their version forward, leaving others alone', async () => {
    const [a, b] = await storeContainers(t.db, [
      { userId: 'u-upd', container: weight(80) },
      { userId: 'u-upd', container: weight(81) },
    ]);
    const [beforeA, beforeB] = await readContainers(t.db, 'measurement', [a!, b!]);
    const ids = await withTransaction(t.db, (trx) =>
      storeContainers(trx, [
        { userId: 'u-upd', container: weight(79.5), appRowId: a! },
        { userId: 'u-upd', container: weight(70) },
      ]),
    );
    expect(ids[0]).toBe(a);
    const [afterA, afterB] = await readContainers(t.db, 'measurement', [a!, b!]);
    expect(afterA!.container.value).toBe(79.5);
    expect(BigInt(afterA!.version)).toBeGreaterThan(BigInt(beforeA!.version));
    expect(afterB).toEqual(beforeB);
  });

  it('keeps versions increasing even when several updates share one transaction', async () => {
    const [id] = await storeContainers(t.db, [{ userId: 'u-mono', container: weight(90) }]);
    const versions = await withTransaction(t.db, async (trx) => {
      const seen: bigint[] = [];
      for (const v of [89, 88, 87]) {
        await storeContainers(trx, [{ userId: 'u-mono', container: weight(v), appRowId: id! }]);
        seen.push(BigInt((await readContainers(trx, 'measurement', [id!]))[0]!.version));
      }
      return seen;
    });
    expect(versions[1]! > versions[0]! && versions[2]! > versions[1]!).toBe(true);
  });

  it('rejects the whole call when any row is invalid, listing each reason, and writes nothing', async () => {
    const before = await count('body_measurements');
    const bad = { ...weight(70), value: 900 };
    const noCalories = { ...run, caloriesPerHour: undefined } as unknown as Exercise;
    const error = await storeContainers(t.db, [
      { userId: 'u-bad', container: weight(70) },
      { userId: 'u-bad', container: bad },
      { userId: '', container: weight(71) },
      { userId: 'u-bad', container: noCalories },
      { userId: 'u-bad', container: weight(72), appRowId: 'abc' },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreRejectedError);
    const rejected = (error as StoreRejectedError).rejected;
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3, 4]);
    expect(rejected[0]!.reason).toContain('outside');
    expect(rejected[1]!.reason).toContain('userId');
    expect(rejected[2]!.reason).toContain('calories');
    expect(rejected[3]!.reason).toContain('appRowId');
    expect((error as StoreRejectedError).code).toBe('invalid_data');
    expect(await count('body_measurements')).toBe(before);
  });

  it("refuses to update a row that does not exist or is another user's; the caller's transaction rolls back", async () => {
    const [mine] = await storeContainers(t.db, [{ userId: 'u-owner', container: weight(65) }]);
    const before = await count('body_measurements');
    const error = await withTransaction(t.db, (trx) =>
      storeContainers(trx, [
        { userId: 'u-new', container: weight(66) },
        { userId: 'u-intruder', container: weight(1.5), appRowId: mine! },
        { userId: 'u-intruder', container: weight(2), appRowId: '999999999' },
      ]),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppRowNotFoundError);
    expect((error as AppRowNotFoundError).appRowIds).toEqual([mine, '999999999']);
    expect(await count('body_measurements')).toBe(before);
    const [row] = await readContainers(t.db, 'measurement', [mine!]);
    expect(row!.container.value).toBe(65);
  });
});

describe('softDelete and reads', () => {
  it('soft-deletes once, bumps the version, and the row reads back as deleted', async () => {
    const [id] = await storeContainers(t.db, [{ userId: 'u-del', container: lunch }]);
    const [before] = await readContainers(t.db, 'food', [id!]);
    expect(await softDelete(t.db, 'food', [id!, 'not-an-id'])).toEqual([id]);
    expect(await softDelete(t.db, 'food', [id!])).toEqual([]);
    const [after] = await readContainers(t.db, 'food', [id!]);
    expect(after!.deleted).toBe(true);
    expect(after!.container).toEqual(lunch);
    expect(BigInt(after!.version)).toBeGreaterThan(BigInt(before!.version));
  });

  it('leaves out ids that do not exist; readAppRows reports app rows the strict schema refuses', async () => {
    const inserted = await sql<{ id: string }>`
      insert into shapeup.exercises (user_id, activity_type, name, started_at, utc_offset_minutes, duration_seconds)
      values ('u-app', 'yoga', 'Yoga', now(), 0, 3600) returning id::text as id`.execute(t.db);
    const id = inserted.rows[0]!.id;
    expect(await readContainers(t.db, 'exercise', [id, '888888888'])).toEqual([]);
    const rows = await readAppRows(t.db, 'exercise', [id]);
    expect(rows).toEqual([
      expect.objectContaining({
        appRowId: id,
        userId: 'u-app',
        container: null,
        problem: expect.stringContaining('calories'),
      }),
    ]);
  });
});

describe('change reads', () => {
  it('reads forward in (updated_at, id) order from a cursor, ties included, and re-reads a window without the rows seen', async () => {
    await sql`truncate shapeup.body_measurements`.execute(t.db);
    // One transaction: every row shares one updated_at.
    const ids = await withTransaction(t.db, (trx) =>
      storeContainers(
        trx,
        Array.from({ length: 5 }, (_, i) => ({ userId: 'u-chg', container: weight(70 + i) })),
      ),
    );
    const all = await readChangesAfter(t.db, 'measurement', { us: 0n, id: 0n }, 10);
    expect(all.map((c) => c.appRowId)).toEqual(ids);
    expect(new Set(all.map((c) => c.version)).size).toBe(1);
    const first = await readChangesAfter(t.db, 'measurement', { us: 0n, id: 0n }, 2);
    const rest = await readChangesAfter(
      t.db,
      'measurement',
      { us: first[1]!.version, id: BigInt(first[1]!.appRowId) },
      10,
    );
    expect([...first, ...rest].map((c) => c.appRowId)).toEqual(ids);

    const v = all[0]!.version;
    const window = {
      above: { us: v - 1n, id: 0n },
      upToUs: v,
      cursor: { us: v, id: BigInt(ids[4]!) },
      seen: [ids[0]!, ids[2]!].map((appRowId) => ({ appRowId, version: v })),
    };
    expect((await rereadChanges(t.db, 'measurement', window, 10)).map((c) => c.appRowId)).toEqual([
      ids[1],
      ids[3],
      ids[4],
    ]);
    const tail = { ...window, above: { us: v, id: BigInt(ids[1]!) } };
    expect((await rereadChanges(t.db, 'measurement', tail, 10)).map((c) => c.appRowId)).toEqual([
      ids[3],
      ids[4],
    ]);
    // A row updated since it was seen is read again.
    await storeContainers(t.db, [{ userId: 'u-chg', container: weight(99), appRowId: ids[0]! }]);
    const after = await readChangesAfter(t.db, 'measurement', { us: v, id: BigInt(ids[4]!) }, 10);
    expect(after).toEqual([expect.objectContaining({ appRowId: ids[0], deleted: false })]);
    await softDelete(t.db, 'measurement', [ids[1]!]);
    const deleted = await readChangesAfter(
      t.db,
      'measurement',
      { us: after[0]!.version, id: BigInt(ids[0]!) },
      10,
    );
    expect(deleted).toEqual([expect.objectContaining({ appRowId: ids[1], deleted: true, userId: 'u-chg' })]);
  });
});

describe('seedDemo', () => {
  it('seeds valid, deterministic data once per user', async () => {
    const first = await seedDemo(t.db, {
      users: 3,
      days: 14,
      prefix: 'seed',
      until: new Date('2026-03-15T00:00:00Z'),
    });
    expect(first).toEqual({
      users: 3,
      exercises: 3 * 7,
      foodEntries: 3 * 14 * 3,
      measurements: 3 * 14 + 3 * 2,
    });
    const again = await seedDemo(t.db, { users: 3, days: 14, prefix: 'seed' });
    expect(again).toEqual({ users: 0, exercises: 0, foodEntries: 0, measurements: 0 });
    for (const [kind, table] of [
      ['measurement', 'body_measurements'],
      ['exercise', 'exercises'],
      ['food', 'food_entries'],
    ] as const) {
      const ids = await sql<{ id: string }>`
        select id::text as id from ${sql.table(`shapeup.${table}`)} where user_id like 'seed-%'`.execute(
        t.db,
      );
      const rows = await readAppRows(
        t.db,
        kind,
        ids.rows.map((r) => r.id),
      );
      expect(rows).toHaveLength(ids.rows.length);
      expect(rows.filter((r) => r.container === null)).toEqual([]);
    }
  });
});
