import type { ScheduleConfig } from '../config.js';
import type { PartnerSchedule } from '../partners.js';
import type { PolicyState, SchedulePolicy } from '../policy/policy.js';

export type ScheduleStatus = 'active' | 'disconnected' | 'needs_reauth';

/**
 * One schedule row per (partner, user) connection: the projection of the scheduler's event log.
 * Every field is a function of the events applied so far (times come from the events, never from
 * the clock of the process that applied them), so `rebuild` reproduces it exactly.
 */
export interface ScheduleRow {
  readonly partner: string;
  readonly userId: string;
  readonly status: ScheduleStatus;
  /** The user wants data polled from this partner / pushed to it. */
  readonly polls: boolean;
  readonly pushes: boolean;
  /** Policy state (activity group, since when, last moved data, policy-owned JSON). */
  readonly group: number;
  readonly groupSince: Date;
  readonly lastDataAt: Date | null;
  readonly policyState: unknown;
  /** Poll blockade: the next regular poll is due then. */
  readonly pollBlockedUntil: Date | null;
  /** Push blockade: no push before then. */
  readonly pushBlockedUntil: Date | null;
  /** No sync at all before then (partner's retryAt, failure backoff, per-user rate limit gap). */
  readonly holdUntil: Date | null;
  readonly failures: number;
  /** Items waiting to be pushed, as last reported, and when. */
  readonly pushPending: number;
  readonly pushPendingAt: Date | null;
  /** First partner notification not yet answered by a poll; the last one ever. */
  readonly notifiedAt: Date | null;
  readonly lastNotifiedAt: Date | null;
  /** An operator asked for a sync (admin API / `sync.requested`) that has not happened yet. */
  readonly requestedAt: Date | null;
  /** Fencing counter: incremented on every lease (and on disconnect). */
  readonly fence: number;
  readonly leasedAt: Date | null;
  readonly leaseExpiresAt: Date | null;
  /** Leases handed out since the last accepted `sync.completed`. */
  readonly unanswered: number;
  readonly lastSyncAt: Date | null;
  readonly lastOutcome: string | null;
  readonly lastError: string | null;
  readonly connectedAt: Date;
  /** Time of the last event applied. */
  readonly updatedAt: Date;
  /** When the connection next needs a sync (null: never, until an event says so). */
  readonly dueAt: Date | null;
}

export type SyncReason = 'poll' | 'push' | 'notified' | 'requested';

export const ms = (d: Date | null | undefined): number | undefined => (d ? d.getTime() : undefined);

function maxDate(...dates: (Date | null | undefined)[]): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d && (!best || d.getTime() > best.getTime())) best = d;
  return best;
}

/**
 * When the connection is due: the earliest of its pending reasons (regular poll at the poll
 * blockade, pending pushes at the push blockade, a notification after the debounce, an operator
 * request at once), never before `holdUntil`. A leased connection is due again when its lease
 * expires (a lost `sync.due` is dispatched again). Inactive connections are never due.
 *
 * The dispatch statement and the bulk `sync.requested` update compute the same thing in SQL; the
 * rebuild integration test checks both against this function.
 */
export function computeDue(row: Omit<ScheduleRow, 'dueAt'>, config: ScheduleConfig): Date | null {
  if (row.status !== 'active') return null;
  if (row.leaseExpiresAt) return row.leaseExpiresAt;
  const candidates: number[] = [];
  if (row.polls && row.pollBlockedUntil) candidates.push(row.pollBlockedUntil.getTime());
  if (row.pushPending > 0) {
    const at = maxDate(row.pushBlockedUntil, row.pushPendingAt);
    candidates.push(at ? at.getTime() : row.connectedAt.getTime());
  }
  if (row.notifiedAt) candidates.push(row.notifiedAt.getTime() + config.notifyDebounceMs);
  if (row.requestedAt) candidates.push(row.requestedAt.getTime());
  if (candidates.length === 0) return null;
  const due = Math.min(...candidates);
  const hold = row.holdUntil?.getTime();
  return new Date(hold !== undefined && hold > due ? hold : due);
}

export function withDue(row: Omit<ScheduleRow, 'dueAt'>, config: ScheduleConfig): ScheduleRow {
  return { ...row, dueAt: computeDue(row, config) };
}

/** The reasons a dispatch at `now` carries (the SQL in the dispatch statement mirrors this). */
export function dueReasons(row: ScheduleRow, now: Date, config: ScheduleConfig): SyncReason[] {
  const t = now.getTime();
  const reasons: SyncReason[] = [];
  if (row.polls && row.pollBlockedUntil && row.pollBlockedUntil.getTime() <= t) reasons.push('poll');
  if (row.pushPending > 0 && (ms(maxDate(row.pushBlockedUntil, row.pushPendingAt)) ?? 0) <= t)
    reasons.push('push');
  if (row.notifiedAt && row.notifiedAt.getTime() + config.notifyDebounceMs <= t) reasons.push('notified');
  if (row.requestedAt && row.requestedAt.getTime() <= t) reasons.push('requested');
  return reasons.length > 0 ? reasons : ['poll'];
}

export function policyStateOf(
  row: Pick<ScheduleRow, 'group' | 'groupSince' | 'lastDataAt' | 'policyState'>,
): PolicyState {
  return { group: row.group, groupSince: row.groupSince, lastDataAt: row.lastDataAt, extra: row.policyState };
}

/**
 * The next regular poll after a poll that finished at `at`: one policy interval later; for a
 * webhook partner whose notifications are flowing (the last one younger than `webhookQuietMs`),
 * not before the notifications have been quiet that long: until then they bring the news.
 */
export function nextRegularPoll(
  policy: SchedulePolicy,
  state: PolicyState,
  at: Date,
  lastNotifiedAt: Date | null,
  partner: Pick<PartnerSchedule, 'webhooks'>,
  config: ScheduleConfig,
): Date {
  let next = at.getTime() + policy.pollIntervalMs(state, at);
  if (partner.webhooks && config.webhookQuietMs > 0 && lastNotifiedAt) {
    const quietAt = lastNotifiedAt.getTime() + config.webhookQuietMs;
    if (quietAt > at.getTime()) next = Math.max(next, quietAt);
  }
  return new Date(next);
}

/** FNV-1a: a deterministic jitter source (rebuild must compute the same backoff). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Backoff after the n-th failure in a row: base * 2^(n-1), capped, times a jitter in [0.8, 1.2). */
export function failureBackoffMs(failures: number, seed: string, config: ScheduleConfig): number {
  const base = Math.min(config.backoffBaseMs * 2 ** Math.max(0, failures - 1), config.backoffMaxMs);
  const jitter = 0.8 + (fnv1a(seed) / 0x1_0000_0000) * 0.4;
  return Math.round(base * jitter);
}
