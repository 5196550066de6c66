import type { SyncScope } from '@healthsync/contracts';
import { type DbOrTx, sql } from '@healthsync/platform';
import { z } from 'zod';
import type { ScheduleRow } from '../domain/schedule.js';

/** All SQL on `scheduler.schedules` (CONVENTIONS.md "Persistence"). Batches are one round trip. */

const ts = z.date();
const tsOrNull = z.date().nullable();

const DbRow = z.object({
  partner: z.string(),
  user_id: z.string(),
  status: z.enum(['active', 'disconnected', 'needs_reauth']),
  polls: z.boolean(),
  pushes: z.boolean(),
  group_minutes: z.number(),
  group_since: ts,
  last_data_at: tsOrNull,
  policy_state: z.unknown(),
  poll_blocked_until: tsOrNull,
  push_blocked_until: tsOrNull,
  hold_until: tsOrNull,
  failures: z.number().int(),
  push_pending: z.number().int(),
  push_pending_at: tsOrNull,
  notified_at: tsOrNull,
  last_notified_at: tsOrNull,
  requested_at: tsOrNull,
  fence: z.number().int(),
  leased_at: tsOrNull,
  lease_expires_at: tsOrNull,
  unanswered: z.number().int(),
  last_sync_at: tsOrNull,
  last_outcome: z.string().nullable(),
  last_error: z.string().nullable(),
  connected_at: ts,
  updated_at: ts,
  due_at: tsOrNull,
});

export function fromDb(raw: unknown): ScheduleRow {
  const r = DbRow.parse(raw);
  return {
    partner: r.partner,
    userId: r.user_id,
    status: r.status,
    polls: r.polls,
    pushes: r.pushes,
    group: r.group_minutes,
    groupSince: r.group_since,
    lastDataAt: r.last_data_at,
    policyState: r.policy_state ?? null,
    pollBlockedUntil: r.poll_blocked_until,
    pushBlockedUntil: r.push_blocked_until,
    holdUntil: r.hold_until,
    failures: r.failures,
    pushPending: r.push_pending,
    pushPendingAt: r.push_pending_at,
    notifiedAt: r.notified_at,
    lastNotifiedAt: r.last_notified_at,
    requestedAt: r.requested_at,
    fence: r.fence,
    leasedAt: r.leased_at,
    leaseExpiresAt: r.lease_expires_at,
    unanswered: r.unanswered,
    lastSyncAt: r.last_sync_at,
    lastOutcome: r.last_outcome,
    lastError: r.last_error,
    connectedAt: r.connected_at,
    updatedAt: r.updated_at,
    dueAt: r.due_at,
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRecord(row: ScheduleRow) {
  return {
    partner: row.partner,
    user_id: row.userId,
    status: row.status,
    polls: row.polls,
    pushes: row.pushes,
    group_minutes: row.group,
    group_since: iso(row.groupSince),
    last_data_at: iso(row.lastDataAt),
    policy_state: row.policyState ?? null,
    poll_blocked_until: iso(row.pollBlockedUntil),
    push_blocked_until: iso(row.pushBlockedUntil),
    hold_until: iso(row.holdUntil),
    failures: row.failures,
    push_pending: row.pushPending,
    push_pending_at: iso(row.pushPendingAt),
    notified_at: iso(row.notifiedAt),
    last_notified_at: iso(row.lastNotifiedAt),
    requested_at: iso(row.requestedAt),
    fence: row.fence,
    leased_at: iso(row.leasedAt),
    lease_expires_at: iso(row.leaseExpiresAt),
    unanswered: row.unanswered,
    last_sync_at: iso(row.lastSyncAt),
    last_outcome: row.lastOutcome,
    last_error: row.lastError,
    connected_at: iso(row.connectedAt),
    updated_at: iso(row.updatedAt),
    due_at: iso(row.dueAt),
  };
}

const COLUMNS = sql.raw(`partner, user_id, status, polls, pushes, group_minutes, group_since, last_data_at,
  policy_state, poll_blocked_until, push_blocked_until, hold_until, failures, push_pending, push_pending_at,
  notified_at, last_notified_at, requested_at, fence, leased_at, lease_expires_at, unanswered, last_sync_at,
  last_outcome, last_error, connected_at, updated_at, due_at`);

const RECORD_TYPES = sql.raw(`partner text, user_id text, status text, polls boolean, pushes boolean,
  group_minutes double precision, group_since timestamptz, last_data_at timestamptz, policy_state jsonb,
  poll_blocked_until timestamptz, push_blocked_until timestamptz, hold_until timestamptz, failures integer,
  push_pending integer, push_pending_at timestamptz, notified_at timestamptz, last_notified_at timestamptz,
  requested_at timestamptz, fence bigint, leased_at timestamptz, lease_expires_at timestamptz,
  unanswered integer, last_sync_at timestamptz, last_outcome text, last_error text, connected_at timestamptz,
  updated_at timestamptz, due_at timestamptz`);

const UPDATE_ALL = sql.raw(
  `status = excluded.status, polls = excluded.polls, pushes = excluded.pushes,
  group_minutes = excluded.group_minutes, group_since = excluded.group_since, last_data_at = excluded.last_data_at,
  policy_state = excluded.policy_state, poll_blocked_until = excluded.poll_blocked_until,
  push_blocked_until = excluded.push_blocked_until, hold_until = excluded.hold_until, failures = excluded.failures,
  push_pending = excluded.push_pending, push_pending_at = excluded.push_pending_at,
  notified_at = excluded.notified_at, last_notified_at = excluded.last_notified_at,
  requested_at = excluded.requested_at, fence = excluded.fence, leased_at = excluded.leased_at,
  lease_expires_at = excluded.lease_expires_at, unanswered = excluded.unanswered,
  last_sync_at = excluded.last_sync_at, last_outcome = excluded.last_outcome, last_error = excluded.last_error,
  connected_at = excluded.connected_at, updated_at = excluded.updated_at, due_at = excluded.due_at`,
);

/** Insert or replace rows, any number in one round trip. */
export async function upsertSchedules(trx: DbOrTx, rows: readonly ScheduleRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into scheduler.schedules (${COLUMNS})
    select ${COLUMNS} from jsonb_to_recordset(${JSON.stringify(rows.map(toRecord))}::jsonb) as x(${RECORD_TYPES})
    on conflict (partner, user_id) do update set ${UPDATE_ALL}`.execute(trx);
}

/**
 * Lock one connection for an event handler: first a transaction-scoped advisory lock on the
 * connection (so events about a connection that has no row yet are ordered too), then its row
 * FOR UPDATE. The caller appends the event to the log only after this, so the event log's order
 * for a connection is the order in which its events were applied, which `rebuild` relies on.
 */
export async function lockSchedule(
  trx: DbOrTx,
  partner: string,
  userId: string,
): Promise<ScheduleRow | undefined> {
  const { rows } = await sql`
    with l as materialized (
      select 1 as ok from (select pg_advisory_xact_lock(hashtextextended(${`${partner}:${userId}`}, 0))) a
    )
    select s.* from l cross join lateral (
      select * from scheduler.schedules s
      where s.partner = ${partner} and s.user_id = ${userId} and l.ok = 1
      for update
    ) s`.execute(trx);
  return rows[0] ? fromDb(rows[0]) : undefined;
}

export async function getSchedule(
  db: DbOrTx,
  partner: string,
  userId: string,
): Promise<ScheduleRow | undefined> {
  const { rows } = await sql`
    select * from scheduler.schedules where partner = ${partner} and user_id = ${userId}`.execute(db);
  return rows[0] ? fromDb(rows[0]) : undefined;
}

export async function listUserSchedules(
  db: DbOrTx,
  userId: string,
  partners: readonly string[],
): Promise<ScheduleRow[]> {
  const { rows } = await sql`
    select * from scheduler.schedules where partner = any(${[...partners]}::text[]) and user_id = ${userId}
    order by partner`.execute(db);
  return rows.map(fromDb);
}

/** Every row in key order (rebuild's comparison; tests). */
export async function listSchedules(db: DbOrTx): Promise<ScheduleRow[]> {
  const { rows } = await sql`select * from scheduler.schedules order by partner, user_id`.execute(db);
  return rows.map(fromDb);
}

/**
 * Rows in key order, a page at a time (rebuild compares projections of any size): the schedules, or
 * given `snapshotId` that snapshot's rows (`scheduler.snapshot_schedules`).
 */
export async function* pageSchedules(
  db: DbOrTx,
  options: { pageSize?: number; snapshotId?: number } = {},
): AsyncGenerator<ScheduleRow[]> {
  const pageSize = options.pageSize ?? 5000;
  const from =
    options.snapshotId === undefined
      ? sql`scheduler.schedules where true`
      : sql`scheduler.snapshot_schedules where snapshot_id = ${options.snapshotId}`;
  let after: [string, string] = ['', ''];
  for (;;) {
    const { rows } = await sql`
      select * from ${from} and (partner, user_id) > (${after[0]}, ${after[1]})
      order by partner, user_id limit ${pageSize}`.execute(db);
    const page = rows.map(fromDb);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = [last.partner, last.userId];
  }
}

function scopeCondition(scope: SyncScope, installed: readonly string[]) {
  const partners = [...installed];
  switch (scope.kind) {
    case 'connection':
      return sql`partner = ${scope.partner} and partner = any(${partners}::text[]) and user_id = ${scope.userId}`;
    case 'user':
      return sql`partner = any(${partners}::text[]) and user_id = ${scope.userId}`;
    case 'partner':
      return sql`partner = ${scope.partner} and partner = any(${partners}::text[])`;
    case 'everyone':
      return sql`partner = any(${partners}::text[])`;
  }
}

/** Lock the active rows of a scope (before the event is logged, as for one connection). */
export async function lockScope(
  trx: DbOrTx,
  scope: SyncScope,
  installed: readonly string[],
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with l as (
      select 1 from scheduler.schedules where ${scopeCondition(scope, installed)} and status = 'active'
      for update
    )
    select count(*)::int as n from l`.execute(trx);
  return rows[0]?.n ?? 0;
}

/**
 * `sync.requested` for a whole scope in one statement: the same as `applyRequested` row by row
 * (requested_at set once; due at the request unless held or leased).
 */
export async function requestScope(
  trx: DbOrTx,
  scope: SyncScope,
  installed: readonly string[],
  at: Date,
): Promise<number> {
  const t = at.toISOString();
  const result = await sql`
    update scheduler.schedules set
      requested_at = coalesce(requested_at, ${t}::timestamptz),
      updated_at = ${t}::timestamptz,
      due_at = case when lease_expires_at is not null then lease_expires_at
        else least(coalesce(due_at, 'infinity'), greatest(coalesce(requested_at, ${t}::timestamptz), hold_until)) end
    where ${scopeCondition(scope, installed)} and status = 'active'`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

export interface GroupCount {
  readonly partner: string;
  readonly status: string;
  readonly group: number;
  readonly connections: number;
}

/** Connections per partner, status and group (a full scan: for the admin API and metrics only). */
export async function groupCounts(db: DbOrTx): Promise<GroupCount[]> {
  const { rows } = await sql<{ partner: string; status: string; group_minutes: number; n: number }>`
    select partner, status, group_minutes, count(*)::int as n from scheduler.schedules
    group by partner, status, group_minutes order by partner, status, group_minutes`.execute(db);
  return rows.map((r) => ({
    partner: r.partner,
    status: r.status,
    group: r.group_minutes,
    connections: r.n,
  }));
}

/** Connections due now, per partner (index range scans on `schedules_due`). */
export async function dueCounts(
  db: DbOrTx,
  partners: readonly string[],
  now: Date,
): Promise<Record<string, number>> {
  const { rows } = await sql<{ partner: string; n: number }>`
    select p.partner, (select count(*)::int from scheduler.schedules s
      where s.partner = p.partner and s.due_at <= ${now.toISOString()}::timestamptz) as n
    from unnest(${[...partners]}::text[]) as p(partner)`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.partner, r.n]));
}

export async function deleteAllSchedules(trx: DbOrTx): Promise<void> {
  await sql`delete from scheduler.schedules`.execute(trx);
}
