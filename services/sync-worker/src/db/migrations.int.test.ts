import { migrate, sql } from '@healthsync/platform';
import { createTestDatabase, type TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations, SCHEMA } from './migrations/index.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 2 });
});
afterAll(async () => {
  await t?.drop();
});

describe('sync schema migrations', () => {
  it('migrate an empty database to latest, and a second run changes nothing', async () => {
    const first = await migrate(t.db, { schema: SCHEMA, migrations });
    expect(first).toContain('0001_create_sync_tables');
    expect(await migrate(t.db, { schema: SCHEMA, migrations })).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'sync' order by table_name`.execute(
      t.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'connections',
        'cursors',
        'event_log',
        'inbox',
        'outbox',
        'sync_items',
        'sync_log',
      ]),
    );
  });
});
