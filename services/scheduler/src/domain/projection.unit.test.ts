import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_CONFIG } from '../config.js';
import { partnerSchedules } from '../partners.js';
import { seedGroupsPolicy } from '../policy/seed-groups.policy.js';
import { completed, connected, event, testDeclaration } from '../test-support.js';
import { applyConnectionEvent, applyRequested, type ProjectionContext } from './projection.js';
import { dueReasons, type ScheduleRow } from './schedule.js';

const ctx: ProjectionContext = {
  policy: seedGroupsPolicy(),
  config: DEFAULT_SCHEDULE_CONFIG,
  partners: partnerSchedules([testDeclaration('acme'), testDeclaration('hooky', { webhooks: true })], {
    tickMs: 1000,
    maxPerTick: 100,
  }),
};
const t0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;

function lease(row: ScheduleRow, t: Date, c: ProjectionContext = ctx) {
  const due = {
    userId: row.userId,
    partner: row.partner,
    reasons: dueReasons(row, t, ctx.config),
    dueAt: (row.dueAt ?? t).toISOString(),
    fence: row.fence + 1,
    leaseExpiresAt: new Date(t.getTime() + ctx.config.leaseMs).toISOString(),
  };
  return { due, row: applyConnectionEvent(row, event('sync.due', due, t).envelope, c)! };
}

describe('schedule projection', () => {
  it('makes a new connection due at once in group 5, then every 5 minutes after each poll', () => {
    const row = applyConnectionEvent(undefined, connected('acme', 'u1', t0), ctx)!;
    expect(row).toMatchObject({ status: 'active', group: 5, fence: 0, dueAt: t0 });
    const leased = lease(row, at(1000));
    expect(leased.row.dueAt).toEqual(at(1000 + ctx.config.leaseMs));
    const done = applyConnectionEvent(leased.row, completed(leased.due, at(2000)), ctx)!;
    expect(done.fence).toBe(1);
    expect(done.leaseExpiresAt).toBeNull();
    expect(done.dueAt).toEqual(at(2000 + 5 * MIN));
  });

  it('ignores a sync.completed whose fence is not the current one', () => {
    const row = applyConnectionEvent(undefined, connected('acme', 'u1', t0), ctx)!;
    const first = lease(row, at(1000));
    const second = lease(first.row, at(1000 + ctx.config.leaseMs));
    expect(second.due.fence).toBe(2);
    const stale = applyConnectionEvent(second.row, completed(first.due, at(400_000), { polledNew: 5 }), ctx);
    expect(stale).toBe(second.row);
  });

  it('holds a deferred connection until the partner says, and backs off failures', () => {
    const row = applyConnectionEvent(undefined, connected('acme', 'u1', t0), ctx)!;
    const l = lease(row, at(0));
    const retryAt = at(30 * MIN);
    const deferred = applyConnectionEvent(
      l.row,
      completed(l.due, at(1000), { outcome: 'deferred', retryAt: retryAt.toISOString() }),
      ctx,
    )!;
    expect(deferred.dueAt).toEqual(retryAt);
    const l2 = lease(deferred, retryAt);
    const failed = applyConnectionEvent(l2.row, completed(l2.due, at(31 * MIN), { outcome: 'failed' }), ctx)!;
    expect(failed.failures).toBe(1);
    const wait = failed.dueAt!.getTime() - at(31 * MIN).getTime();
    expect(wait).toBeGreaterThanOrEqual(0.8 * MIN);
    expect(wait).toBeLessThan(1.2 * MIN);
    const l3 = lease(failed, failed.dueAt!);
    const again = applyConnectionEvent(l3.row, completed(l3.due, failed.dueAt!, { outcome: 'failed' }), ctx)!;
    expect(again.failures).toBe(2);
    expect(again.dueAt!.getTime() - failed.dueAt!.getTime()).toBeGreaterThanOrEqual(1.6 * MIN);
  });

  it('tries a first skipped sync again soon, without a per-user gap, then polls by its group', () => {
    // A per-user limit of 60 an hour: a sync that called the partner holds the next for a minute.
    const gap: ProjectionContext = {
      ...ctx,
      partners: partnerSchedules(
        [testDeclaration('gappy', { rateLimits: [{ scope: 'user', limit: 60, windowSeconds: 3600 }] })],
        { tickMs: 1000, maxPerTick: 100 },
      ),
    };
    const row = applyConnectionEvent(undefined, connected('gappy', 'u1', t0), gap)!;
    const l = lease(row, at(0), gap);
    // The worker had not handled connection.connected yet: it skipped without calling the partner.
    const skipped = applyConnectionEvent(l.row, completed(l.due, at(1000), { outcome: 'skipped' }), gap)!;
    expect(skipped.dueAt).toEqual(at(1000 + ctx.config.skippedRetryMs));
    expect(skipped.holdUntil).toBeNull();
    const l2 = lease(skipped, skipped.dueAt!, gap);
    const again = applyConnectionEvent(l2.row, completed(l2.due, at(20_000), { outcome: 'skipped' }), gap)!;
    expect(again.dueAt).toEqual(at(20_000 + 5 * MIN));
    const l3 = lease(again, again.dueAt!, gap);
    const ok = applyConnectionEvent(l3.row, completed(l3.due, at(6 * MIN)), gap)!;
    expect(ok.holdUntil).toEqual(at(7 * MIN));
  });

  it('makes pushes due at the push blockade and keeps what arrived during a sync pending', () => {
    const row = applyConnectionEvent(undefined, connected('acme', 'u1', t0), ctx)!;
    const l = lease(row, at(0));
    const done = applyConnectionEvent(l.row, completed(l.due, at(1000), { pushed: 1 }), ctx)!;
    const pending = applyConnectionEvent(
      done,
      event('sync.push-pending', { userId: 'u1', partner: 'acme', count: 2 }, at(2000)).envelope,
      ctx,
    )!;
    expect(pending.dueAt).toEqual(at(1000 + ctx.config.pushBlockadeMs));
    expect(dueReasons(pending, pending.dueAt!, ctx.config)).toEqual(['push']);
    const l2 = lease(pending, pending.dueAt!);
    const during = applyConnectionEvent(
      l2.row,
      event('sync.push-pending', { userId: 'u1', partner: 'acme', count: 1 }, at(70_000)).envelope,
      ctx,
    )!;
    const after = applyConnectionEvent(
      during,
      completed(l2.due, at(75_000), { pushed: 2, pushPending: 0 }),
      ctx,
    )!;
    expect(after.pushPending).toBe(1);
    expect(after.dueAt).toEqual(at(75_000 + ctx.config.pushBlockadeMs));
  });

  it('polls a notified webhook connection after the debounce and suspends its regular polls until quiet', () => {
    const row = applyConnectionEvent(undefined, connected('hooky', 'u1', t0), ctx)!;
    const l = lease(row, at(0));
    const idle = applyConnectionEvent(l.row, completed(l.due, at(1000)), ctx)!;
    const n = at(2 * MIN);
    const notified = applyConnectionEvent(
      idle,
      event('partner.notified', { userId: 'u1', partner: 'hooky', kinds: ['measurement'] }, n).envelope,
      ctx,
    )!;
    expect(notified.dueAt).toEqual(at(2 * MIN + ctx.config.notifyDebounceMs));
    const again = applyConnectionEvent(
      notified,
      event(
        'partner.notified',
        { userId: 'u1', partner: 'hooky', kinds: ['measurement'] },
        at(2 * MIN + 5000),
      ).envelope,
      ctx,
    )!;
    expect(again.dueAt).toEqual(notified.dueAt);
    const l2 = lease(again, again.dueAt!);
    expect(l2.due.reasons).toContain('notified');
    const f = at(3 * MIN);
    const done = applyConnectionEvent(l2.row, completed(l2.due, f, { polledNew: 1 }), ctx)!;
    expect(done.notifiedAt).toBeNull();
    // The regular poll waits until the notifications have been quiet for webhookQuietMs.
    expect(done.dueAt).toEqual(new Date(at(2 * MIN + 5000).getTime() + ctx.config.webhookQuietMs));
  });

  it('stops every sync on disconnect and needs-reauth, with a new fence; reconnect starts over in group 5', () => {
    const row = applyConnectionEvent(undefined, connected('acme', 'u1', t0), ctx)!;
    const l = lease(row, at(0));
    const off = applyConnectionEvent(
      l.row,
      event('connection.needs-reauth', { userId: 'u1', partner: 'acme', reason: 'auth_revoked: x' }, at(1000))
        .envelope,
      ctx,
    )!;
    expect(off).toMatchObject({ status: 'needs_reauth', dueAt: null, leaseExpiresAt: null, fence: 2 });
    expect(applyConnectionEvent(off, completed(l.due, at(2000), { polledNew: 3 }), ctx)).toBe(off);
    const back = applyConnectionEvent(off, connected('acme', 'u1', at(DAY()), { reconnect: true }), ctx)!;
    expect(back).toMatchObject({ status: 'active', group: 5, dueAt: at(DAY()) });
  });

  it('makes requested connections due at once, within their hold', () => {
    const row = applyConnectionEvent(undefined, connected('acme', 'u1', t0), ctx)!;
    const l = lease(row, at(0));
    const done = applyConnectionEvent(l.row, completed(l.due, at(1000)), ctx)!;
    const req = event(
      'sync.requested',
      { scope: { kind: 'user', userId: 'u1' }, requestedBy: 'ops' },
      at(MIN),
    ).envelope;
    const requested = applyRequested(done, req, ctx);
    expect(requested.dueAt).toEqual(at(MIN));
    const other = event(
      'sync.requested',
      { scope: { kind: 'partner', partner: 'hooky' }, requestedBy: 'ops' },
      at(MIN),
    ).envelope;
    expect(applyRequested(done, other, ctx)).toBe(done);
  });
});

function DAY() {
  return 24 * 3600_000;
}
