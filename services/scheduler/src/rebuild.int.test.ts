import type { Envelope, EventPayload } from '@healthsync/contracts';
import { createDb, type Db, sql, withTransaction } from '@healthsync/platform';
import { ManualClock, type TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumedEnvelope, handleEvent } from './handlers/index.js';
import { rebuild } from './rebuild.js';
import { syncDispatchBudgets } from './repositories/dispatch-budget.repository.js';
import { listSchedules } from './repositories/schedule.repository.js';
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
const clock = new ManualClock('2026-05-04T06:00:00.000Z');
const ctx = createSchedulerContext({
  declarations: [
    testDeclaration('acme'),
    testDeclaration('hooky', {
      webhooks: true,
      rateLimits: [{ scope: 'user', limit: 150, windowSeconds: 3600 }],
    }),
    testDeclaration('slow', { rateLimits: [{ scope: 'app', limit: 30, windowSeconds: 60 }] }),
  ],
  policy: 'activity-hours',
  maxPerTick: 20,
});
const apply = (e: Envelope) => withTransaction(db, (trx) => handleEvent(trx, e as ConsumedEnvelope, ctx));

/** A small deterministic PRNG, so the history is the same on every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 0x1_0000_0000;
  };
}

beforeAll(async () => {
  tdb = await schedulerTestDatabase();
  db = tdb.db;
  await syncDispatchBudgets(db, ctx.partners.values(), clock.now());
});
afterAll(() => tdb.drop());

describe('rebuild', () => {
  it('recomputes exactly the projection the handlers and the dispatcher built', async () => {
    const random = prng(7);
    const partners = ['acme', 'hooky', 'slow'];
    const users = Array.from({ length: 12 }, (_, i) => `u${i}`);
    for (const p of partners) for (const u of users) await apply(connected(p, u, clock.now()));
    let seen = 0;
    let last: EventPayload<'sync.due'> | undefined;
    for (let step = 0; step < 150; step++) {
      clock.advance(Math.floor(random() * 90_000));
      await tick(db, clock, ctx);
      const dues = await outboxDue(db, seen);
      for (const due of dues) {
        const r = random();
        const finished = new Date(clock.now().getTime() + 1000);
        if (r < 0.1) continue; // lost: re-dispatched when the lease expires
        if (r < 0.2 && last) await apply(completed(last, finished, { polledNew: 3 })); // a stale worker
        const outcome = r < 0.3 ? 'deferred' : r < 0.38 ? 'failed' : r < 0.45 ? 'partial' : 'ok';
        await apply(
          completed(due, finished, {
            outcome,
            polledNew: random() < 0.3 ? Math.ceil(random() * 4) : 0,
            pushed: random() < 0.1 ? 1 : 0,
            pushPending: random() < 0.1 ? 1 : 0,
            ...(outcome === 'deferred'
              ? { retryAt: new Date(finished.getTime() + 120_000).toISOString() }
              : {}),
            ...(outcome === 'failed' ? { error: { code: 'transient', message: 'partner 503' } } : {}),
          }),
        );
        last = due;
      }
      seen += dues.length;
      const p = partners[Math.floor(random() * partners.length)]!;
      const u = users[Math.floor(random() * users.length)]!;
      const at = clock.now();
      const r = random();
      if (r < 0.15)
        await apply(
          event('partner.notified', { userId: u, partner: p, kinds: ['measurement'] }, at).envelope,
        );
      else if (r < 0.25)
        await apply(event('sync.push-pending', { userId: u, partner: p, count: 2 }, at).envelope);
      else if (r < 0.28)
        await apply(event('connection.disconnected', { userId: u, partner: p }, at).envelope);
      else if (r < 0.3)
        await apply(
          event('connection.needs-reauth', { userId: u, partner: p, reason: 'auth_revoked: gone' }, at)
            .envelope,
        );
      else if (r < 0.36)
        await apply(connected(p, u, at, { reconnect: true, accountChanged: random() < 0.3 }));
      else if (r < 0.39)
        await apply(
          event(
            'connection.preferences-changed',
            { userId: u, partner: p, dataTypes: { poll: random() < 0.5 ? [] : ['exercise'], push: [] } },
            at,
          ).envelope,
        );
      else if (r < 0.41)
        await apply(
          event('sync.requested', { scope: { kind: 'user', userId: u }, requestedBy: 'ops' }, at).envelope,
        );
      else if (r < 0.42)
        await apply(
          event('sync.requested', { scope: { kind: 'partner', partner: p }, requestedBy: 'ops' }, at)
            .envelope,
        );
      else if (r < 0.43)
        await apply(
          event('sync.requested', { scope: { kind: 'everyone' }, requestedBy: 'ops' }, at).envelope,
        );
      // Events about connections the scheduler never saw change nothing, in both paths.
      else if (r < 0.45)
        await apply(event('partner.notified', { userId: 'stranger', partner: p, kinds: [] }, at).envelope);
    }
    const built = await listSchedules(db);
    expect(built.length).toBe(36);
    expect(new Set(built.map((r) => r.status)).size).toBeGreaterThan(1);
    expect(built.some((r) => r.fence > 5)).toBe(true);

    const check = await rebuild(db, ctx, { dryRun: true });
    expect(check).toMatchObject({ rows: 36, differences: 0, written: false });

    // Damage the stored projection; rebuild finds and repairs it.
    await sql`update scheduler.schedules set group_minutes = 999, fence = fence + 100 where user_id = 'u3'`.execute(
      db,
    );
    const repaired = await rebuild(db, ctx);
    expect(repaired.differences).toBe(3);
    expect(repaired.sample[0]!.fields).toEqual(['group', 'fence']);
    expect(await listSchedules(db)).toEqual(built);
    expect((await rebuild(db, ctx, { dryRun: true })).differences).toBe(0);
  });

  it('stays reproducible when two dispatchers and the handlers run at the same time', async () => {
    const other = createDb(tdb.url, { max: 4 });
    try {
      const users = Array.from({ length: 150 }, (_, i) => `c${i}`);
      await Promise.all(users.map((u) => apply(connected('acme', u, clock.now()))));
      let seen = (await outboxDue(db)).length;
      const start = seen;
      for (let round = 0; round < 25; round++) {
        const dues = await outboxDue(db, seen);
        seen += dues.length;
        const finished = new Date(clock.now().getTime() + 500);
        await Promise.all([
          tick(db, clock, ctx),
          tick(other, clock, ctx),
          // Completions, notifications and requests race the dispatchers.
          ...dues
            .filter((_, i) => i % 3 !== 0)
            .map((d) => apply(completed(d, finished, { polledNew: round % 2 }))),
          ...users
            .slice(round * 5, round * 5 + 5)
            .map((u) =>
              apply(
                event('partner.notified', { userId: u, partner: 'acme', kinds: ['exercise'] }, clock.now())
                  .envelope,
              ),
            ),
          apply(
            event(
              'sync.requested',
              { scope: { kind: 'user', userId: users[round]! }, requestedBy: 'ops' },
              clock.now(),
            ).envelope,
          ),
        ]);
        clock.advance(ctx.config.leaseMs / 4);
      }
      const all = (await outboxDue(db, start)).filter(
        (d) => d.partner === 'acme' && d.userId.startsWith('c'),
      );
      expect(all.length).toBeGreaterThan(300);
      // No fence was handed out twice for a connection: no connection leased twice at once.
      const fences = new Set(all.map((d) => `${d.userId}:${d.fence}`));
      expect(fences.size).toBe(all.length);
      expect((await rebuild(db, ctx, { dryRun: true })).differences).toBe(0);
    } finally {
      await other.destroy();
    }
  });
});
