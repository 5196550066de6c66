import type { Envelope } from '@healthsync/contracts';
import { createDb, createLogger, type Db, migrate, sql, withTransaction } from '@healthsync/platform';
import { createTestDatabase, ManualClock, type TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations, SCHEMA } from './db/migrations/index.js';
import { type ConsumedEnvelope, handleEvent } from './handlers/index.js';
import { syncDispatchBudgets } from './repositories/dispatch-budget.repository.js';
import { getSchedule } from './repositories/schedule.repository.js';
import {
  createSchedulerContext,
  type SchedulerContext,
  startDispatcher,
  type TickResult,
  tick,
} from './scheduler.js';
import {
  completed,
  connected,
  event,
  outboxDue,
  schedulerTestDatabase,
  testDeclaration,
} from './test-support.js';

let tdb: TestDatabase;
let db: Db;
let other: Db;
const clock = new ManualClock('2026-03-02T09:00:00.000Z');
const MIN = 60_000;

const ctx: SchedulerContext = createSchedulerContext({
  declarations: [
    testDeclaration('acme'),
    testDeclaration('slow', { rateLimits: [{ scope: 'app', limit: 60, windowSeconds: 60 }] }),
  ],
  maxPerTick: 50,
  tickMs: 1000,
});

const apply = (e: Envelope) => withTransaction(db, (trx) => handleEvent(trx, e as ConsumedEnvelope, ctx));

async function connectMany(partner: string, prefix: string, n: number) {
  for (let i = 0; i < n; i++) await apply(connected(partner, `${prefix}${i}`, clock.now()));
}

beforeAll(async () => {
  tdb = await schedulerTestDatabase();
  db = tdb.db;
  // The second instance keeps the claim statement prepared, as the service does.
  other = createDb(tdb.url, { max: 5 });
  await syncDispatchBudgets(db, ctx.partners.values(), clock.now());
});

afterAll(async () => {
  await other.destroy();
  await tdb.drop();
});

describe('migrations', () => {
  it('migrate an empty database to latest twice', async () => {
    const fresh = await createTestDatabase();
    try {
      const first = await migrate(fresh.db, { schema: SCHEMA, migrations });
      expect(first).toContain('0001_create_schedules');
      expect(await migrate(fresh.db, { schema: SCHEMA, migrations })).toEqual([]);
    } finally {
      await fresh.drop();
    }
  });
});

describe('dispatch', () => {
  it('leases a new connection at once and writes a valid sync.due to the outbox in the same statement', async () => {
    await apply(connected('acme', 'solo', clock.now()));
    const first = await tick(db, clock, ctx);
    expect(first.claimed).toEqual({ acme: 1 });
    const [due] = await outboxDue(db);
    expect(due).toMatchObject({ userId: 'solo', partner: 'acme', reasons: ['poll'], fence: 1 });
    expect(due!.leaseExpiresAt).toBe(new Date(clock.now().getTime() + ctx.config.leaseMs).toISOString());
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from scheduler.event_log where direction = 'emitted' and type = 'sync.due'`.execute(
      db,
    );
    expect(rows[0]!.n).toBe(1);
    // The envelope written in SQL: a UUIDv7 of the current millisecond, the same in the outbox
    // column, the envelope and the event log.
    const { rows: written } = await sql<{ id: string; envelope: Envelope; logged: Envelope }>`
      select o.id::text as id, o.envelope, l.envelope as logged
      from scheduler.outbox o join scheduler.event_log l on l.event_id = o.id and l.direction = 'emitted'`.execute(
      db,
    );
    expect(written).toHaveLength(1);
    const { id, envelope, logged } = written[0]!;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(Number.parseInt(id.replace('-', '').slice(0, 12), 16) - Date.now())).toBeLessThan(60_000);
    expect(logged).toEqual(envelope);
    expect(envelope).toMatchObject({
      id,
      type: 'sync.due',
      correlationId: id,
      causationId: null,
      occurredAt: clock.now().toISOString(),
      source: ctx.source,
    });
    expect((await tick(db, clock, ctx)).dispatched).toBe(0);
  });

  it('re-dispatches a dropped sync.due after its lease expires, with a higher fence; the stale completion changes nothing', async () => {
    clock.advance(ctx.config.leaseMs - 1);
    expect((await tick(db, clock, ctx)).dispatched).toBe(0);
    clock.advance(1);
    expect((await tick(db, clock, ctx)).claimed).toEqual({ acme: 1 });
    const dues = (await outboxDue(db)).filter((d) => d.userId === 'solo');
    expect(dues.map((d) => d.fence)).toEqual([1, 2]);

    const before = await getSchedule(db, 'acme', 'solo');
    const stale = await apply(completed(dues[0]!, clock.now(), { polledNew: 4 }));
    expect(stale).toMatchObject({ duplicate: false, changed: 0, stale: true });
    expect(await getSchedule(db, 'acme', 'solo')).toEqual(before);

    const current = completed(dues[1]!, clock.now(), { polledNew: 4 });
    expect(await apply(current)).toMatchObject({ changed: 1 });
    expect(await apply(current)).toMatchObject({ duplicate: true, changed: 0 });
    const after = await getSchedule(db, 'acme', 'solo');
    expect(after).toMatchObject({ fence: 2, leaseExpiresAt: null, lastDataAt: clock.now(), group: 5 });
    expect(after!.dueAt).toEqual(new Date(clock.now().getTime() + 5 * MIN));
  });

  it('never leases the same connection twice when two instances tick at once', async () => {
    await connectMany('acme', 'pair', 400);
    const before = (await outboxDue(db)).length;
    const rounds: Promise<{ instance: number; n: number }>[] = [];
    for (let i = 0; i < 12; i++) {
      const instance = i % 2;
      rounds.push(tick(instance === 0 ? db : other, clock, ctx).then((r) => ({ instance, n: r.dispatched })));
    }
    const results = await Promise.all(rounds);
    // Both instances took part.
    expect(results.filter((r) => r.instance === 0).reduce((a, r) => a + r.n, 0)).toBeGreaterThan(0);
    expect(results.filter((r) => r.instance === 1).reduce((a, r) => a + r.n, 0)).toBeGreaterThan(0);
    const dues = (await outboxDue(db)).slice(before);
    expect(dues.length).toBe(400);
    expect(new Set(dues.map((d) => d.userId)).size).toBe(400);
    expect(dues.every((d) => d.fence === 1)).toBe(true);
  });

  it('works off a backlog with two claim loops and a tick target, each connection leased once', async () => {
    await connectMany('acme', 'loop', 300);
    const before = (await outboxDue(db)).length;
    const ticks: TickResult[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    let total = 0;
    const dispatcher = startDispatcher({
      db: other,
      clock,
      ctx,
      logger: createLogger('scheduler-test', 'silent'),
      loops: 2,
      tickTargetMs: 1,
      onTick: (r) => {
        ticks.push(r);
        total += r.dispatched;
        if (total >= 300) done();
      },
    });
    await finished;
    await dispatcher.stop();
    const dues = (await outboxDue(db)).slice(before);
    expect(dues.length).toBe(300);
    expect(new Set(dues.map((d) => d.userId)).size).toBe(300);
    // A tick target below any real statement time lowers the cap below maxPerTick (50).
    expect(Math.min(...ticks.filter((t) => t.dispatched > 0).map((t) => t.dispatched))).toBeLessThan(50);
  });

  it('keeps each partner within its declared app rate budget, across instances', async () => {
    await connectMany('slow', 's', 300);
    await connectMany('acme', 'a', 100);
    const start = clock.now().getTime();
    const before = (await outboxDue(db)).length;
    const times: number[] = [];
    for (let s = 0; s < 180; s++) {
      const [x, y] = await Promise.all([tick(db, clock, ctx), tick(other, clock, ctx)]);
      for (let i = 0; i < (x.claimed.slow ?? 0) + (y.claimed.slow ?? 0); i++)
        times.push(clock.now().getTime());
      clock.advance(1000);
    }
    const dues = (await outboxDue(db)).slice(before);
    // The unlimited partner got all of its due connections at once (50 per tick per instance).
    expect(dues.filter((d) => d.partner === 'acme' && d.userId.startsWith('a')).length).toBe(100);
    // 60 requests per 60 s, one request per sync: never more than 60 in any 60 s window.
    let worst = 0;
    for (const t of times) worst = Math.max(worst, times.filter((u) => u >= t && u < t + 60_000).length);
    expect(worst).toBeLessThanOrEqual(60);
    // ... and the budget is used: 2 at once, then 58 per minute over three minutes.
    expect(times.length).toBeGreaterThanOrEqual(170);
    expect(times[0]).toBe(start);
  });

  it('makes an operator request due at once for the scope only', async () => {
    const at = clock.now();
    const req = event(
      'sync.requested',
      { scope: { kind: 'user', userId: 'solo' }, requestedBy: 'ops' },
      at,
    ).envelope;
    expect(await apply(req)).toMatchObject({ changed: 1 });
    const t = await tick(db, clock, ctx);
    expect(t.claimed.acme).toBeGreaterThanOrEqual(1);
    const last = (await outboxDue(db)).filter((d) => d.userId === 'solo').at(-1)!;
    expect(last).toMatchObject({ fence: 3, reasons: ['requested'] });
  });

  it('stops all syncs of a disconnected connection', async () => {
    await apply(connected('acme', 'gone', clock.now()));
    await apply(event('connection.disconnected', { userId: 'gone', partner: 'acme' }, clock.now()).envelope);
    clock.advance(MIN);
    await tick(db, clock, ctx);
    expect((await outboxDue(db)).some((d) => d.userId === 'gone')).toBe(false);
    expect(await getSchedule(db, 'acme', 'gone')).toMatchObject({ status: 'disconnected', dueAt: null });
  });
});
