import { topology as buildTopology } from '@healthsync/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Bus, createBus } from '../bus/bus.js';
import { withTransaction } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { createEvent, type OutgoingEvent } from '../envelope.js';
import { createLogger } from '../logger.js';
import {
  createTestDatabase,
  createTestVhost,
  management,
  type TestDatabase,
  type TestVhost,
} from '../testing/index.js';
import { claimInbox, readEventLog } from './inbox.js';
import { enqueueEvents } from './outbox.js';
import { pruneEventLog, pruneInbox, pruneOutbox, relayBatch, startOutboxRelay } from './relay.js';

const logger = createLogger('relay-test', 'silent');
const topology = buildTopology(['fitbit']);
const dueQueue = topology.consumers.find((q) => q.name === 'sync-worker.fitbit.due')!;
const schema = 't';

let t: TestDatabase;
let vhost: TestVhost;
let bus: Bus;
let consumerBus: Bus;
/** Every delivery of every event id, in arrival order. */
const deliveries: string[] = [];

beforeAll(async () => {
  [t, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  await migrate(t.db, { schema, migrations: {} });
  const options = { url: vhost.url, topology, logger, reconnect: { initialMs: 50, maxMs: 500 } };
  bus = await createBus({ ...options, serviceName: 'relay-test' });
  consumerBus = await createBus({ ...options, serviceName: 'relay-test-consumer' });
  await consumerBus.consume(dueQueue, {
    'sync.due': async (_payload, envelope) => {
      deliveries.push(envelope.id);
    },
  });
});

afterAll(async () => {
  await bus?.close();
  await consumerBus?.close();
  await t?.drop();
  await vhost?.drop();
});

beforeEach(async () => {
  await sql`delete from t.outbox`.execute(t.db);
  deliveries.length = 0;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}

function due(userId: string, partner = 'fitbit'): OutgoingEvent {
  return createEvent(
    'sync.due',
    {
      userId,
      partner,
      reasons: ['poll'],
      dueAt: '2026-11-23T10:00:00.000Z',
      fence: 1,
      leaseExpiresAt: '2026-11-23T10:05:00.000Z',
    },
    { source: 'relay-test' },
  );
}

async function unsent(): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from t.outbox where sent_at is null`.execute(
    t.db,
  );
  return r.rows[0]!.n;
}

describe('outbox relay', () => {
  it('never publishes an event whose transaction rolled back', async () => {
    const rolledBack = due('u-rollback');
    const committed = due('u-commit');
    await expect(
      withTransaction(t.db, async (trx) => {
        await enqueueEvents(trx, schema, [rolledBack]);
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    await withTransaction(t.db, (trx) => enqueueEvents(trx, schema, [committed]));
    const relay = startOutboxRelay({ db: t.db, schema, bus, logger, idleMs: 20 });
    try {
      await until(() => deliveries.includes(committed.envelope.id));
      await sleep(300);
      expect(deliveries).toEqual([committed.envelope.id]);
      expect(await unsent()).toBe(0);
    } finally {
      await relay.stop();
    }
  });

  it('keeps rows while the broker is away and publishes them when it returns', async () => {
    const relay = startOutboxRelay({ db: t.db, schema, bus, logger, idleMs: 20 });
    const events = Array.from({ length: 50 }, (_, i) => due(`u-away-${i}`));
    try {
      // The broker refuses this vhost to our user, and every open connection is closed.
      await management('DELETE', `/permissions/${encodeURIComponent(vhost.name)}/guest`);
      await until(async () => {
        await vhost.closeConnections();
        return !bus.connected && !consumerBus.connected;
      });
      await withTransaction(t.db, (trx) => enqueueEvents(trx, schema, events));
      relay.wake();
      await sleep(1_500);
      expect(await unsent()).toBe(50);
      expect(deliveries).toEqual([]);
    } finally {
      await management('PUT', `/permissions/${encodeURIComponent(vhost.name)}/guest`, {
        configure: '.*',
        write: '.*',
        read: '.*',
      });
    }
    try {
      await until(() => new Set(deliveries).size === 50);
      expect(new Set(deliveries)).toEqual(new Set(events.map((e) => e.envelope.id)));
      await until(async () => (await unsent()) === 0);
      // Sent in the order they were written.
      expect(deliveries.slice(0, 50)).toEqual(events.map((e) => e.envelope.id));
    } finally {
      await relay.stop();
    }
  });

  it('publishes each row exactly once when two relays run together', async () => {
    const events = Array.from({ length: 5_000 }, (_, i) => due(`u-pair-${i}`));
    for (let i = 0; i < events.length; i += 1_000) {
      await withTransaction(t.db, (trx) => enqueueEvents(trx, schema, events.slice(i, i + 1_000)));
    }
    const second = await createBus({ url: vhost.url, topology, logger, serviceName: 'relay-test-2' });
    const a = startOutboxRelay({ db: t.db, schema, bus, logger, batchSize: 100, idleMs: 20 });
    const b = startOutboxRelay({ db: t.db, schema: 't', bus: second, logger, batchSize: 100, idleMs: 20 });
    try {
      await until(() => deliveries.length >= 5_000);
      await sleep(500);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await second.close();
    }
    const counts = new Map<string, number>();
    for (const id of deliveries) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(5_000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(a.stats.published + b.stats.published).toBe(5_000);
    expect(a.stats.published).toBeGreaterThan(0);
    expect(b.stats.published).toBeGreaterThan(0);
    expect(await unsent()).toBe(0);
  });

  it('records an unroutable row on the row and parks it, without holding back the rows behind it', async () => {
    const stray = due('u-stray', 'moves');
    const after = due('u-after-stray');
    await withTransaction(t.db, (trx) => enqueueEvents(trx, schema, [stray, after]));
    for (let i = 0; i < 3; i++) await relayBatch({ db: t.db, schema, bus, maxUnroutableAttempts: 3 });
    const row = await sql<{ attempts: number; last_error: string; sent_at: Date | null }>`
      select attempts, last_error, sent_at from t.outbox where id = ${stray.envelope.id}`.execute(t.db);
    expect(row.rows[0]).toMatchObject({ attempts: 3, sent_at: null });
    expect(row.rows[0]!.last_error).toMatch(/^unroutable: .*sync\.due\.moves/);
    // Parked: a fourth batch does not pick it again.
    expect((await relayBatch({ db: t.db, schema, bus, maxUnroutableAttempts: 3 })).selected).toBe(0);
    await until(() => deliveries.includes(after.envelope.id));
    expect(deliveries).toEqual([after.envelope.id]);
  });

  it('prunes sent rows older than the retention, and only those', async () => {
    const [old, recent, pending] = [due('u-old'), due('u-recent'), due('u-pending')];
    await withTransaction(t.db, (trx) => enqueueEvents(trx, schema, [old, recent, pending]));
    await sql`update t.outbox set sent_at = now() - interval '30 hours' where id = ${old.envelope.id}`.execute(
      t.db,
    );
    await sql`update t.outbox set sent_at = now() - interval '1 hour' where id = ${recent.envelope.id}`.execute(
      t.db,
    );
    expect(await pruneOutbox(t.db, schema, 24)).toBe(1);
    const left = await sql<{ id: string }>`select id::text as id from t.outbox order by seq`.execute(t.db);
    expect(left.rows.map((r) => r.id)).toEqual([recent.envelope.id, pending.envelope.id]);
  });

  describe('event log and inbox retention', () => {
    /** Events emitted (event log) and consumed (event log and inbox), the first two 200 h ago. */
    async function aged() {
      await sql`delete from t.event_log`.execute(t.db);
      await sql`delete from t.inbox`.execute(t.db);
      const events = [due('u-a'), due('u-b'), due('u-c')];
      // In time order, as a service logs them: each emitted, then consumed.
      for (const e of events) {
        await withTransaction(t.db, (trx) => enqueueEvents(trx, schema, [e]));
        await withTransaction(t.db, (trx) => claimInbox(trx, schema, 'relay-test', e.envelope));
      }
      const old = events.slice(0, 2).map((e) => e.envelope.id);
      await sql`update t.event_log set recorded_at = now() - interval '200 hours' where event_id = any(${old}::uuid[])`.execute(
        t.db,
      );
      await sql`update t.inbox set processed_at = now() - interval '200 hours' where event_id = any(${old}::uuid[])`.execute(
        t.db,
      );
      return events.map((e) => e.envelope.id);
    }
    const logged = async () =>
      (
        await sql<{ id: string; direction: string }>`
        select event_id::text as id, direction from t.event_log order by seq`.execute(t.db)
      ).rows.map((r) => `${r.direction}:${r.id}`);
    const inboxIds = async () =>
      (
        await sql<{ id: string }>`select event_id::text as id from t.inbox order by event_id`.execute(t.db)
      ).rows.map((r) => r.id);

    it('deletes the rows older than the retention, a chunk at a time, and only those', async () => {
      const [, , c] = await aged();
      // Chunks of one row: the loop goes on until a chunk holds nothing old.
      expect(await pruneEventLog(t.db, schema, 168, 1)).toBe(4);
      expect(await logged()).toEqual([`emitted:${c}`, `consumed:${c}`]);
      expect(await pruneInbox(t.db, schema, 168, 1)).toBe(2);
      expect(await inboxIds()).toEqual([c]);
      expect(await pruneEventLog(t.db, schema, 168)).toBe(0);
    });

    it('keeps every row after upToSeq, however old (a snapshot covers only the rows up to it)', async () => {
      const [, b, c] = await aged();
      const seqs = await sql<{ seq: string }>`select seq::text from t.event_log order by seq`.execute(t.db);
      // Up to the first event's two rows: the second event's old rows stay.
      const upTo = Number(seqs.rows[1]!.seq);
      expect(await pruneEventLog(t.db, schema, 168, 1, upTo)).toBe(2);
      expect(await logged()).toEqual([`emitted:${b}`, `consumed:${b}`, `emitted:${c}`, `consumed:${c}`]);
      const after = [];
      for await (const e of readEventLog(t.db, schema, { afterSeq: Number(seqs.rows[2]!.seq) }))
        after.push(`${e.direction}:${e.envelope.id}`);
      expect(after).toEqual([`consumed:${b}`, `emitted:${c}`, `consumed:${c}`]);
    });

    it("the relay prunes them on its schedule; a log kept for good (0) stays, the inbox's age goes", async () => {
      const [a, b, c] = await aged();
      const relay = startOutboxRelay({
        db: t.db,
        schema,
        bus,
        logger,
        pruneEveryMs: 50,
        retainEventLogHours: 0,
      });
      try {
        await until(async () => (await inboxIds()).length === 1);
        expect(await inboxIds()).toEqual([c]);
        expect((await logged()).filter((r) => r.startsWith('consumed:'))).toEqual([
          `consumed:${a}`,
          `consumed:${b}`,
          `consumed:${c}`,
        ]);
      } finally {
        await relay.stop();
      }
    });
  });
});

describe('inbox', () => {
  it('gives the same event delivered twice one effect', async () => {
    await sql`create table if not exists t.effects (n serial primary key, event_id uuid not null)`.execute(
      t.db,
    );
    let handled = 0;
    const effectsBus = await createBus({ url: vhost.url, topology, logger, serviceName: 'relay-test-inbox' });
    const eventsQueue = topology.consumers.find((q) => q.name === 'scheduler.events')!;
    const record = async (_payload: unknown, envelope: OutgoingEvent['envelope']) => {
      await withTransaction(t.db, async (trx) => {
        if (await claimInbox(trx, schema, 'scheduler.events', envelope)) {
          await sql`insert into t.effects (event_id) values (${envelope.id})`.execute(trx);
        }
      });
      handled++;
    };
    const sub = await effectsBus.consume(eventsQueue, {
      'connection.connected': record,
      'connection.disconnected': record,
      'connection.preferences-changed': record,
      'connection.needs-reauth': record,
      'sync.completed': record,
      'sync.push-pending': record,
      'partner.notified': record,
      'sync.requested': record,
    });
    try {
      const e = createEvent(
        'sync.push-pending',
        { userId: 'u-inbox', partner: 'fitbit', count: 2 },
        { source: 'relay-test' },
      );
      await effectsBus.publish([e]);
      await effectsBus.publish([e]);
      await until(() => handled === 2);
      const effects = await sql`select 1 from t.effects where event_id = ${e.envelope.id}`.execute(t.db);
      expect(effects.rows).toHaveLength(1);
    } finally {
      await sub.cancel();
      await effectsBus.close();
    }
  });
});
