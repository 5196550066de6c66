import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../envelope.js';
import { claimInbox } from '../outbox/inbox.js';
import { enqueueEvents } from '../outbox/outbox.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { withTransaction } from './db.js';
import { migrate } from './migrate.js';

const migrations = {
  '0001_create_widgets': {
    async up(db: import('kysely').Kysely<any>) {
      await db.schema
        .createTable('svc.widgets')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute();
    },
  },
};

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

describe('migrate', () => {
  it('migrates an empty database to latest, and the second run is a no-op', async () => {
    const first = await migrate(t.db, { schema: 'svc', migrations });
    expect(first).toEqual([
      '0001_create_outbox',
      '0002_create_inbox',
      '0003_create_event_log',
      '0004_index_inbox_processed_at',
      '0001_create_widgets',
    ]);
    const second = await migrate(t.db, { schema: 'svc', migrations });
    expect(second).toEqual([]);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'svc' order by table_name`.execute(
      t.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'event_log',
        'inbox',
        'migrations',
        'outbox',
        'platform_migrations',
        'widgets',
      ]),
    );
  });

  it('keeps two services apart: each schema has its own migration table', async () => {
    await migrate(t.db, { schema: 'other', migrations: {} });
    const again = await migrate(t.db, { schema: 'svc', migrations });
    expect(again).toEqual([]);
  });
});

describe('outbox and inbox', () => {
  const event = () =>
    createEvent('sync.push-pending', { userId: 'u-1', partner: 'fitbit', count: 1 }, { source: 'test' });

  it('writes nothing when the transaction rolls back', async () => {
    const e = event();
    await expect(
      withTransaction(t.db, async (trx) => {
        await enqueueEvents(trx, 'svc', [e]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await sql`select 1 from svc.outbox where id = ${e.envelope.id}`.execute(t.db);
    expect(rows.rows).toHaveLength(0);
  });

  it('writes the outbox row and the emitted log entry together', async () => {
    const e = event();
    await withTransaction(t.db, (trx) => enqueueEvents(trx, 'svc', [e]));
    const out = await sql<{
      routing_key: string;
    }>`select routing_key from svc.outbox where id = ${e.envelope.id}`.execute(t.db);
    expect(out.rows[0]?.routing_key).toBe('sync.push-pending.fitbit');
    const log = await sql<{
      stream: string;
    }>`select stream from svc.event_log where event_id = ${e.envelope.id} and direction = 'emitted'`.execute(
      t.db,
    );
    expect(log.rows[0]?.stream).toBe('fitbit:u-1');
  });

  it('claims an event once per consumer: a redelivery has no second effect', async () => {
    await sql`create table if not exists svc.effects (n serial primary key, event_id uuid)`.execute(t.db);
    const e = event();
    const handle = () =>
      withTransaction(t.db, async (trx) => {
        if (!(await claimInbox(trx, 'svc', 'test-consumer', e.envelope))) return false;
        await sql`insert into svc.effects (event_id) values (${e.envelope.id})`.execute(trx);
        return true;
      });
    expect(await handle()).toBe(true);
    expect(await handle()).toBe(false);
    const effects = await sql`select 1 from svc.effects where event_id = ${e.envelope.id}`.execute(t.db);
    expect(effects.rows).toHaveLength(1);
    // Another consumer in the same service still gets its own turn.
    expect(await withTransaction(t.db, (trx) => claimInbox(trx, 'svc', 'other-consumer', e.envelope))).toBe(
      true,
    );
  });
});
