import { migrate } from '@healthsync/platform';
import { createTestDatabase, type TestDatabase } from '@healthsync/platform/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations, SCHEMA } from './index.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('auth migrations', () => {
  it('migrate an empty database to latest, twice (the second run does nothing)', async () => {
    const first = await migrate(database.db, { schema: SCHEMA, migrations });
    expect(first).toContain('0001_create_auth_tables');
    expect(await migrate(database.db, { schema: SCHEMA, migrations })).toEqual([]);
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'auth' order by table_name`.execute(
      database.db,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'connections',
        'credentials',
        'event_log',
        'inbox',
        'outbox',
        'pending_authorizations',
        'refresh_locks',
      ]),
    );
  });
});
