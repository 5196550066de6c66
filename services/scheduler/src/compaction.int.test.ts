import type { Envelope } from '@healthsync/contracts';
import { createDb, createLogger, type Db, sql, withTransaction } from '@healthsync/platform';
import { ManualClock, type TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactLog, latestSnapshot, startCompaction, takeSnapshot } from './compaction.js';
import { type ConsumedEnvelope, handleEvent } from './handlers/index.js';
import { rebuild } from './rebuild.js';
import { loadHistory } from './replay/history.js';
import { syncDispatchBudgets } from './repositories/dispatch-budget.repository.js';
import { createSchedulerContext, tick } from './scheduler.js';
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
const clock = new ManualClock('2026-07-06T06:00:00.000Z');
const ctx = createSchedulerContext({
  declarations: [testDeclaration('acme'), testDeclaration('hooky', { webhooks: true })],
  maxPerTick: 40,
});
const apply = (e: Envelope) => withTransaction(db, (trx) => handleEvent(trx, e as ConsumedEnvelope, ctx));
const logRows = async () =>
  Number(
    (await sql<{ n: string }>`select count(*)::text as n from scheduler.event_log`.execute(db)).rows[0]?.n,
  );

beforeAll(async () => {
  tdb = await schedulerTestDatabase();
  db = tdb.db;
  await syncDispatchBudgets(db, ctx.partners.values(), clock.now());
});
afterAll(() => tdb.drop());

/**
 * Rounds of dispatch from two dispatchers racing completions, notifications and requests, with
 * `during(round)` run in the same race.
 */
async function traffic(users: string[], rounds: number, during: (round: number) => Promise<unknown>) {
  const other = createDb(tdb.url, { max: 4 });
  try {
    let seen = (await outboxDue(db)).length;
    for (let round = 0; round < rounds; round++) {
      const dues = await outboxDue(db, seen);
      seen += dues.length;
      const finished = new Date(clock.now().getTime() + 500);
      await Promise.all([
        tick(db, clock, ctx),
        tick(other, clock, ctx),
        during(round),
        ...dues
          .filter((_, i) => i % 4 !== 0)
          .map((d) => apply(completed(d, finished, { polledNew: round % 3 === 0 ? 1 : 0 }))),
        ...users
          .slice((round * 4) % users.length, ((round * 4) % users.length) + 4)
          .map((u) =>
            apply(
              event('partner.notified', { userId: u, partner: 'hooky', kinds: [] }, clock.now()).envelope,
            ),
          ),
        apply(
          event(
            'sync.requested',
            { scope: { kind: 'user', userId: users[round % users.length]! }, requestedBy: 'ops' },
            clock.now(),
          ).envelope,
        ),
      ]);
      clock.advance(ctx.config.leaseMs / 3);
    }
  } finally {
    await other.destroy();
  }
}

describe('snapshots and compaction', () => {
  it('a snapshot row has every schedule column, in order (a migration that adds one adds it to both)', async () => {
    const columns = async (table: string) =>
      (
        await sql<{ name: string; type: string }>`
          select column_name as name, data_type as type from information_schema.columns
          where table_schema = 'scheduler' and table_name = ${table} order by ordinal_position`.execute(db)
      ).rows;
    const schedules = await columns('schedules');
    expect(schedules.length).toBeGreaterThan(20);
    expect(await columns('snapshot_schedules')).toEqual([
      { name: 'snapshot_id', type: 'bigint' },
      ...schedules,
    ]);
  });

  it('a snapshot taken while events are applied holds exactly the events up to it; rebuild starts from it', async () => {
    const users = Array.from({ length: 60 }, (_, i) => `s${i}`);
    await Promise.all(
      users.flatMap((u) => ['acme', 'hooky'].map((p) => apply(connected(p, u, clock.now())))),
    );
    const taken: number[] = [];
    await traffic(users, 16, async (round) => {
      if (round % 5 === 2) taken.push((await takeSnapshot(db)).logSeq);
    });
    expect(taken).toHaveLength(3);
    const snapshot = await latestSnapshot(db);
    expect(snapshot).toMatchObject({ logSeq: taken[2], rows: 120 });
    // Events were logged after the snapshot: rebuild folds only those onto it, and agrees with
    // the projection the handlers and dispatchers kept.
    const check = await rebuild(db, ctx, { dryRun: true });
    expect(check.snapshot?.id).toBe(snapshot?.id);
    expect(check.events).toBeGreaterThan(0);
    expect(check).toMatchObject({ rows: 120, differences: 0 });

    // Compaction with no history kept: the log the new snapshot covers goes, rebuild still agrees.
    const before = await logRows();
    const r = await compactLog(db, { historyHours: 0 });
    expect(r.snapshotsDropped).toBe(3);
    // Their partitions are dropped with them: only the new snapshot's is left.
    const partitions = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'scheduler.snapshot_schedules'::regclass`.execute(db);
    expect(partitions.rows.map((p) => p.name)).toEqual([`snapshot_schedules_${r.snapshot.id}`]);
    expect(r.logRowsDeleted).toBe(before);
    expect(await logRows()).toBe(0);
    await traffic(users, 4, async () => {});
    expect(await rebuild(db, ctx, { dryRun: true })).toMatchObject({ rows: 120, differences: 0 });
    expect(await logRows()).toBeGreaterThan(0);
  });

  it('waits for an event being applied: its row and log entry are in the snapshot together', async () => {
    // One event is being applied: its log entry has its place in the log, nothing is committed yet.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let applying = () => {};
    const inFlight = new Promise<void>((resolve) => {
      applying = resolve;
    });
    const slow = withTransaction(db, async (trx) => {
      await handleEvent(trx, connected('acme', 'w-slow', clock.now()) as ConsumedEnvelope, ctx);
      applying();
      await held;
    });
    await inFlight;
    // A later event is logged after it and committed first.
    await apply(connected('acme', 'w-fast', clock.now()));
    const snapshot = takeSnapshot(db);
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await slow;
    await snapshot;
    // Without waiting, the snapshot would cover the slow event's place in the log but not its row.
    expect(await rebuild(db, ctx, { dryRun: true })).toMatchObject({ differences: 0 });
  });

  it('the service compacts once its newest snapshot is due, one instance at a time', async () => {
    await sql`delete from scheduler.snapshots`.execute(db);
    const ids = async () =>
      Number(
        (await sql<{ n: string }>`select last_value::text as n from scheduler.snapshots_id_seq`.execute(db))
          .rows[0]?.n,
      );
    const before = await ids();
    const logger = createLogger('scheduler-test', 'silent');
    const instances = [1, 2].map(() =>
      startCompaction({ db, logger, everyHours: 24, historyHours: 24, checkMs: 20 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    await Promise.all(instances.map((i) => i.stop()));
    // No snapshot: one is taken at the first check; the checks after it, of either instance, find it young.
    expect(await ids()).toBe(before + 1);
    expect(Date.now() - (await latestSnapshot(db))!.takenAt.getTime()).toBeLessThan(5_000);
  });

  it('keeps the log younger than the history, and replay still sees the connections made before the cut', async () => {
    const users = ['h1', 'h2', 'h3'];
    await Promise.all(users.map((u) => apply(connected('acme', u, clock.now()))));
    await traffic(users, 3, async () => {});
    // Nothing is older than a day: the snapshot is taken, no row goes.
    const kept = await logRows();
    expect(await compactLog(db, { historyHours: 24 })).toMatchObject({ logRowsDeleted: 0 });
    expect(await logRows()).toBe(kept);

    // With no history kept, the connects go; the syncs after the cut still count, from the cut on.
    await compactLog(db, { historyHours: 0 });
    const cut = clock.now().getTime();
    // Each connection syncs once more (a lease left unanswered above waits out its doubled lease).
    const synced = new Set<string>();
    for (let i = 0; i < 6 && synced.size < users.length; i++) {
      clock.advance(30 * 60_000);
      const seen = (await outboxDue(db)).length;
      await tick(db, clock, ctx);
      for (const d of await outboxDue(db, seen)) {
        if (d.partner !== 'acme' || !users.includes(d.userId)) continue;
        await apply(completed(d, new Date(clock.now().getTime() + 500)));
        synced.add(d.userId);
      }
    }
    expect([...synced].sort()).toEqual(users);
    const history = await loadHistory(db);
    const mine = history.connections.filter((c) => c.partner === 'acme' && users.includes(c.userId));
    expect(mine.map((c) => c.userId).sort()).toEqual(users);
    for (const c of mine) {
      expect(c.periods).toEqual([{ from: expect.any(Number), to: null }]);
      expect(c.periods[0]!.from).toBeGreaterThanOrEqual(cut);
      expect(c.syncs.length).toBeGreaterThan(0);
    }
  });
});
