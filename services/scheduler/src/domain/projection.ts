import type { Envelope, EventPayload, SyncScope } from '@healthsync/contracts';
import type { ScheduleConfig } from '../config.js';
import type { PartnerSchedule } from '../partners.js';
import type { SchedulePolicy } from '../policy/policy.js';
import { failureBackoffMs, nextRegularPoll, policyStateOf, type ScheduleRow, withDue } from './schedule.js';

/** Everything the projection depends on besides the events: the same inputs give the same rows. */
export interface ProjectionContext {
  readonly policy: SchedulePolicy;
  readonly config: ScheduleConfig;
  readonly partners: ReadonlyMap<string, PartnerSchedule>;
}

type E<T extends keyof import('@healthsync/contracts').Catalog> = Envelope<T, EventPayload<T>>;

/** The events about one connection that the schedule is projected from. */
export type ConnectionEvent =
  | E<'connection.connected'>
  | E<'connection.disconnected'>
  | E<'connection.preferences-changed'>
  | E<'connection.needs-reauth'>
  | E<'sync.completed'>
  | E<'sync.push-pending'>
  | E<'partner.notified'>
  /** Emitted by the dispatcher: the lease it handed out. */
  | E<'sync.due'>;

export type ScopeEvent = E<'sync.requested'>;
export type ProjectedEvent = ConnectionEvent | ScopeEvent;

export const CONSUMED_TYPES = [
  'connection.connected',
  'connection.disconnected',
  'connection.preferences-changed',
  'connection.needs-reauth',
  'sync.completed',
  'sync.push-pending',
  'partner.notified',
  'sync.requested',
] as const;

export type ConsumedType = (typeof CONSUMED_TYPES)[number];

const at = (iso: string) => new Date(iso);
const later = (a: Date | null, b: Date): Date => (a && a.getTime() > b.getTime() ? a : b);

function newRow(event: E<'connection.connected'>, ctx: ProjectionContext): ScheduleRow {
  const t = at(event.occurredAt);
  const p = event.payload;
  const state = ctx.policy.initial(t);
  return withDue(
    {
      partner: p.partner,
      userId: p.userId,
      status: 'active',
      polls: p.dataTypes.poll.length > 0,
      pushes: p.dataTypes.push.length > 0,
      group: state.group,
      groupSince: state.groupSince,
      lastDataAt: state.lastDataAt,
      policyState: state.extra,
      pollBlockedUntil: t,
      pushBlockedUntil: null,
      holdUntil: null,
      failures: 0,
      pushPending: 0,
      pushPendingAt: null,
      notifiedAt: null,
      lastNotifiedAt: null,
      requestedAt: null,
      fence: 0,
      leasedAt: null,
      leaseExpiresAt: null,
      unanswered: 0,
      lastSyncAt: null,
      lastOutcome: null,
      lastError: null,
      connectedAt: t,
      updatedAt: t,
    },
    ctx.config,
  );
}

/** Stop every sync of the connection: no lease, nothing pending, a new fence for late workers. */
function stopped(
  row: ScheduleRow,
  status: 'disconnected' | 'needs_reauth',
  t: Date,
  error: string | null,
): ScheduleRow {
  return {
    ...row,
    status,
    fence: row.fence + 1,
    leasedAt: null,
    leaseExpiresAt: null,
    unanswered: 0,
    pushPending: 0,
    pushPendingAt: null,
    notifiedAt: null,
    requestedAt: null,
    holdUntil: null,
    failures: 0,
    lastError: error ?? row.lastError,
    updatedAt: t,
    dueAt: null,
  };
}

function completed(
  row: ScheduleRow,
  event: E<'sync.completed'>,
  ctx: ProjectionContext,
  partner: PartnerSchedule,
): ScheduleRow {
  const p = event.payload;
  // Only the holder of the current fence may move the schedule: a stale worker changes nothing.
  if (p.fence !== row.fence) return row;
  const f = at(p.finishedAt);
  const state = ctx.policy.afterSync(policyStateOf(row), {
    at: f,
    startedAt: at(p.startedAt),
    polledNew: p.polledNew,
    pushed: p.pushed,
  });
  const lease = row.leasedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  // What arrived while the sync ran is still pending afterwards.
  const arrivedDuringLease = (d: Date | null) => d !== null && d.getTime() > lease;
  const base = {
    ...row,
    group: state.group,
    groupSince: state.groupSince,
    lastDataAt: state.lastDataAt,
    policyState: state.extra,
    leasedAt: null,
    leaseExpiresAt: null,
    unanswered: 0,
    lastSyncAt: f,
    lastOutcome: p.outcome,
    lastError: p.error ? `${p.error.code}: ${p.error.message}` : null,
    updatedAt: f,
  };
  const gapHold = partner.minGapMs > 0 ? new Date(f.getTime() + partner.minGapMs) : null;
  if (p.outcome === 'deferred') {
    const retry = p.retryAt ? at(p.retryAt) : new Date(f.getTime() + ctx.config.deferDefaultMs);
    return withDue({ ...base, holdUntil: gapHold ? later(retry, gapHold) : retry }, ctx.config);
  }
  if (p.outcome === 'failed') {
    const failures = row.failures + 1;
    const backoff = failureBackoffMs(failures, `${row.partner}:${row.userId}:${row.fence}`, ctx.config);
    const hold = new Date(f.getTime() + backoff);
    return withDue({ ...base, failures, holdUntil: gapHold ? later(hold, gapHold) : hold }, ctx.config);
  }
  // ok, partial, skipped: the worker polled and pushed what it could. A first skip (the worker did
  // not know the connection yet) is tried again soon, without the gap of a partner call.
  const keepPush = arrivedDuringLease(row.pushPendingAt);
  const retrySkipped = p.outcome === 'skipped' && row.lastOutcome !== 'skipped';
  return withDue(
    {
      ...base,
      failures: 0,
      holdUntil: retrySkipped ? null : gapHold,
      pollBlockedUntil: retrySkipped
        ? new Date(f.getTime() + ctx.config.skippedRetryMs)
        : nextRegularPoll(ctx.policy, state, f, row.lastNotifiedAt, partner, ctx.config),
      pushBlockedUntil: new Date(f.getTime() + ctx.config.pushBlockadeMs),
      pushPending: keepPush ? Math.max(row.pushPending, p.pushPending) : p.pushPending,
      notifiedAt: arrivedDuringLease(row.notifiedAt) ? row.notifiedAt : null,
      requestedAt: arrivedDuringLease(row.requestedAt) ? row.requestedAt : null,
    },
    ctx.config,
  );
}

/**
 * Apply one event about a connection to its row (undefined: no row yet). Returns the new row, the
 * same object when nothing changed, or undefined when there is still no row. Events of partners
 * that are not installed are ignored.
 */
export function applyConnectionEvent(
  row: ScheduleRow | undefined,
  event: ConnectionEvent,
  ctx: ProjectionContext,
): ScheduleRow | undefined {
  const partner = ctx.partners.get(event.payload.partner);
  if (!partner) return row;
  const t = at(event.occurredAt);
  switch (event.type) {
    case 'connection.connected': {
      if (!row) return newRow(event, ctx);
      const p = event.payload;
      const state = ctx.policy.initial(t);
      return withDue(
        {
          ...row,
          status: 'active',
          polls: p.dataTypes.poll.length > 0,
          pushes: p.dataTypes.push.length > 0,
          group: state.group,
          groupSince: state.groupSince,
          // A different partner account is a different history; the same account keeps its own.
          lastDataAt: p.accountChanged ? null : row.lastDataAt,
          policyState: p.accountChanged ? state.extra : (row.policyState ?? state.extra),
          pollBlockedUntil: t,
          holdUntil: null,
          failures: 0,
          pushPending: p.accountChanged ? 0 : row.pushPending,
          pushPendingAt: p.accountChanged ? null : row.pushPendingAt,
          lastError: null,
          connectedAt: t,
          updatedAt: t,
        },
        ctx.config,
      );
    }
    case 'connection.disconnected':
      return row && row.status !== 'disconnected' ? stopped(row, 'disconnected', t, null) : row;
    case 'connection.needs-reauth':
      return row && row.status === 'active' ? stopped(row, 'needs_reauth', t, event.payload.reason) : row;
    case 'connection.preferences-changed': {
      if (!row) return row;
      const polls = event.payload.dataTypes.poll.length > 0;
      const startPolling = polls && !row.polls;
      return withDue(
        {
          ...row,
          polls,
          pushes: event.payload.dataTypes.push.length > 0,
          pollBlockedUntil:
            startPolling && (!row.pollBlockedUntil || row.pollBlockedUntil > t) ? t : row.pollBlockedUntil,
          updatedAt: t,
        },
        ctx.config,
      );
    }
    case 'sync.push-pending':
      if (row?.status !== 'active') return row;
      return withDue(
        { ...row, pushPending: event.payload.count, pushPendingAt: t, updatedAt: t },
        ctx.config,
      );
    case 'partner.notified':
      if (row?.status !== 'active') return row;
      return withDue(
        {
          ...row,
          notifiedAt: row.notifiedAt ?? t,
          lastNotifiedAt: later(row.lastNotifiedAt, t),
          updatedAt: t,
        },
        ctx.config,
      );
    case 'sync.completed':
      return row ? completed(row, event, ctx, partner) : row;
    case 'sync.due': {
      if (!row) return row;
      const expires = at(event.payload.leaseExpiresAt);
      return {
        ...row,
        fence: event.payload.fence,
        leasedAt: t,
        leaseExpiresAt: expires,
        unanswered: row.unanswered + 1,
        updatedAt: t,
        dueAt: expires,
      };
    }
  }
}

export function scopeMatches(scope: SyncScope, partner: string, userId: string): boolean {
  switch (scope.kind) {
    case 'connection':
      return scope.partner === partner && scope.userId === userId;
    case 'user':
      return scope.userId === userId;
    case 'partner':
      return scope.partner === partner;
    case 'everyone':
      return true;
  }
}

/** `sync.requested` on one row of its scope: an immediate sync of an active connection. */
export function applyRequested(row: ScheduleRow, event: ScopeEvent, ctx: ProjectionContext): ScheduleRow {
  if (row.status !== 'active' || !ctx.partners.has(row.partner)) return row;
  if (!scopeMatches(event.payload.scope, row.partner, row.userId)) return row;
  const t = at(event.occurredAt);
  return withDue({ ...row, requestedAt: row.requestedAt ?? t, updatedAt: t }, ctx.config);
}
