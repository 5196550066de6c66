import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { createDb, type Db, sql, withTransaction } from './db.js';

let t: TestDatabase;
let db: Db;

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 1 });
  // One connection: every statement below runs in the same session.
  db = createDb(t.url, { max: 1 });
  await sql`create table marks (id int primary key, n int not null)`.execute(db);
});

afterAll(async () => {
  await db?.destroy();
  await t?.drop();
});

const prepared = async (trx: Db = db) =>
  (
    await sql<{
      statement: string;
    }>`select statement from pg_prepared_statements order by prepare_time`.execute(trx)
  ).rows.map((r) => r.statement);

describe('createDb: statements marked with PREPARED_MARK', () => {
  it('keeps marked statements prepared on the connection, once per text, and runs the rest unnamed', async () => {
    const upsert = (id: number) => sql<{ n: number }>`
      /* prepared */ insert into marks (id, n) values (${id}, 1)
      on conflict (id) do update set n = marks.n + 1 returning n`;
    expect((await upsert(1).execute(db)).rows[0]?.n).toBe(1);
    expect((await upsert(1).execute(db)).rows[0]?.n).toBe(2);
    expect((await upsert(2).execute(db)).rows[0]?.n).toBe(1);
    await sql`select n from marks where id = ${1}`.execute(db);
    const statements = await prepared();
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('/* prepared */ insert into marks');
  });

  it('a marked statement that fails leaves the connection usable and the transaction rolled back', async () => {
    const failing = (id: number) =>
      sql`/* prepared */ insert into marks (id, n) select ${id}, 1 / (${id} - 3)`.execute(db);
    await failing(4);
    await expect(
      withTransaction(db, async (trx) => {
        await sql`update marks set n = 100 where id = 1`.execute(trx);
        await sql`/* prepared */ insert into marks (id, n) select ${3}, 1 / (${3} - 3)`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    const rows = (await sql<{ id: number; n: number }>`select id, n from marks order by id`.execute(db)).rows;
    expect(rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 1 },
      { id: 4, n: 1 },
    ]);
    expect(await prepared()).toHaveLength(2);
  });
});
