import { type DbOrTx, sql } from '@healthsync/platform';

export type ItemState = 'synced' | 'pending' | 'parked' | 'deleted';

export interface SyncItemRow {
  id: number;
  partner: string;
  user_id: string;
  kind: string;
  app_row_id: string | null;
  external_id: string | null;
  origin: string;
  state: ItemState;
  content_hash: string | null;
  /** The item as the partner gives it back after our last push (null until the first echo). */
  partner_hash: string | null;
  in_flight_hash: string | null;
  app_version: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
}

const columns = sql`id, partner, user_id, kind, app_row_id, external_id, origin, state, content_hash, partner_hash, in_flight_hash,
  app_version, attempts, last_error, next_attempt_at`;

export interface PollLookup {
  /** Items of the connection whose external id is among the polled ones, by `kind:externalId`. */
  readonly known: Map<string, SyncItemRow>;
  /** Items to push now (pending and due), plus every item with a create in flight, oldest first. */
  readonly pending: SyncItemRow[];
}

/**
 * After a poll, in ONE round trip: the items the polled external ids already belong to, and the
 * items waiting to be pushed (due ones, plus any create in flight, whose partner item the poll may
 * have brought back).
 */
export async function lookupAfterPoll(
  db: DbOrTx,
  q: {
    partner: string;
    userId: string;
    polled: readonly { kind: string; externalId: string }[];
    withPending: boolean;
    now: Date;
    pendingLimit: number;
  },
): Promise<PollLookup> {
  const known = new Map<string, SyncItemRow>();
  const pending: SyncItemRow[] = [];
  if (q.polled.length === 0 && !q.withPending) return { known, pending };
  const kinds = q.polled.map((p) => p.kind);
  const ids = q.polled.map((p) => p.externalId);
  const r = await sql<SyncItemRow & { tag: 'known' | 'pending' }>`
    (select 'known' as tag, ${columns} from sync.sync_items
      where partner = ${q.partner} and user_id = ${q.userId}
        and (kind, external_id) in (select * from unnest(${kinds}::text[], ${ids}::text[])))
    union all
    (select 'pending' as tag, ${columns} from sync.sync_items
      where ${q.withPending} and partner = ${q.partner} and user_id = ${q.userId}
        and ((state = 'pending' and (next_attempt_at is null or next_attempt_at <= ${q.now})) or in_flight_hash is not null)
      order by id limit ${q.pendingLimit})`.execute(db);
  for (const { tag, ...row } of r.rows) {
    if (tag === 'known') known.set(`${row.kind}:${row.external_id}`, row);
    else pending.push(row);
  }
  return { known, pending };
}

export async function findByAppRow(
  db: DbOrTx,
  partner: string,
  userId: string,
  kind: string,
  appRowId: string,
): Promise<SyncItemRow | undefined> {
  const r = await sql<SyncItemRow>`select ${columns} from sync.sync_items
    where partner = ${partner} and user_id = ${userId} and kind = ${kind} and app_row_id = ${appRowId}`.execute(
    db,
  );
  return r.rows[0];
}

export interface ItemWrite {
  readonly id: number;
  readonly state: ItemState;
  readonly externalId: string | null;
  readonly contentHash: string | null;
  readonly partnerHash: string | null;
  readonly inFlightHash: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date | null;
  /** The item's app version when the sync read it: a newer one arrived meanwhile keeps the item pending. */
  readonly seenAppVersion: string | null;
}

export interface NewPolledItem {
  readonly partner: string;
  readonly userId: string;
  readonly kind: string;
  readonly appRowId: string;
  readonly externalId: string;
  readonly contentHash: string;
}

/**
 * The CTEs that record a sync's item changes in the statement that commits it: new polled items
 * (one insert for all) and every item write (one update for all). A write whose item received a
 * newer app change while the sync ran (`app_version` moved) leaves that item pending, so the newer
 * change is pushed next time; the external id and hash the sync learned are kept either way.
 */
export function itemWriteCtes(inserts: readonly NewPolledItem[], writes: readonly ItemWrite[]) {
  const ins = inserts.map((r) => ({
    partner: r.partner,
    user_id: r.userId,
    kind: r.kind,
    app_row_id: r.appRowId,
    external_id: r.externalId,
    content_hash: r.contentHash,
  }));
  const upd = writes.map((w) => ({
    id: w.id,
    state: w.state,
    external_id: w.externalId,
    content_hash: w.contentHash,
    partner_hash: w.partnerHash,
    in_flight_hash: w.inFlightHash,
    attempts: w.attempts,
    last_error: w.lastError?.slice(0, 1000) ?? null,
    next_attempt_at: w.nextAttemptAt?.toISOString() ?? null,
    seen_app_version: w.seenAppVersion,
  }));
  return sql`
    items_inserted as (
      insert into sync.sync_items (partner, user_id, kind, app_row_id, external_id, origin, state, content_hash, partner_hash)
      select partner, user_id, kind, app_row_id, external_id, partner, 'synced', content_hash, content_hash
      from jsonb_to_recordset(${JSON.stringify(ins)}::jsonb)
        as x(partner text, user_id text, kind text, app_row_id text, external_id text, content_hash text)
    ), items_updated as (
      update sync.sync_items s set
        external_id = x.external_id,
        content_hash = x.content_hash,
        partner_hash = x.partner_hash,
        in_flight_hash = x.in_flight_hash,
        state = case when s.app_version is distinct from x.seen_app_version then 'pending' else x.state end,
        attempts = case when s.app_version is distinct from x.seen_app_version and x.state = 'parked' then 0 else x.attempts end,
        last_error = x.last_error,
        next_attempt_at = case when s.app_version is distinct from x.seen_app_version and x.state = 'parked' then null else x.next_attempt_at end,
        updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(upd)}::jsonb)
        as x(id bigint, state text, external_id text, content_hash text, partner_hash text, in_flight_hash text, attempts int,
             last_error text, next_attempt_at timestamptz, seen_app_version text)
      where s.id = x.id
    )`;
}

/**
 * Record that creates are about to be sent (hash of what is sent), only while the caller holds
 * the fence: if the worker dies after the partner call, the next sync knows a create may have
 * happened. Returns false when the fence is lost (send nothing).
 */
export async function markInFlight(
  db: DbOrTx,
  q: { partner: string; userId: string; fence: number; items: readonly { id: number; hash: string }[] },
): Promise<boolean> {
  if (q.items.length === 0) return true;
  const r = await sql<{ held: boolean }>`
    with guard as (
      select 1 from sync.connections where partner = ${q.partner} and user_id = ${q.userId} and fence = ${q.fence} for update
    ), marked as (
      update sync.sync_items s set in_flight_hash = x.hash, updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(q.items)}::jsonb) as x(id bigint, hash text)
      where s.id = x.id and exists (select 1 from guard)
    )
    select exists (select 1 from guard) as held`.execute(db);
  return r.rows[0]?.held === true;
}

export async function countPending(db: DbOrTx, partner: string, userId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from sync.sync_items
    where partner = ${partner} and user_id = ${userId} and state = 'pending'`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** A different partner account: the old account's items and read positions mean nothing any more. */
export async function clearConnection(trx: DbOrTx, partner: string, userId: string): Promise<void> {
  await sql`
    with items as (delete from sync.sync_items where partner = ${partner} and user_id = ${userId})
    delete from sync.cursors where partner = ${partner} and user_id = ${userId}`.execute(trx);
}

/** Operator command: put parked items back in line (attempts reset); one row per user with how many. */
export async function replayParked(
  db: DbOrTx,
  partner: string,
  userId?: string,
): Promise<{ userId: string; count: number }[]> {
  const r = await sql<{ user_id: string; count: number }>`
    with replayed as (
      update sync.sync_items set state = 'pending', attempts = 0, next_attempt_at = null, updated_at = now()
      where partner = ${partner} and state = 'parked' ${userId ? sql`and user_id = ${userId}` : sql``}
      returning user_id
    )
    select user_id, count(*)::int as count from replayed group by user_id order by user_id`.execute(db);
  return r.rows.map((row) => ({ userId: row.user_id, count: row.count }));
}

/** Counts by state and the parked items of one connection (for the operator's "why?"). */
export async function itemSummary(
  db: DbOrTx,
  partner: string,
  userId: string,
): Promise<{
  counts: Record<string, number>;
  problems: {
    kind: string;
    appRowId: string | null;
    state: string;
    attempts: number;
    lastError: string | null;
  }[];
}> {
  const r = await sql<{
    state: string;
    n: number;
    problems:
      | { kind: string; appRowId: string | null; state: string; attempts: number; lastError: string | null }[]
      | null;
  }>`
    select state, count(*)::int as n,
      (jsonb_agg(jsonb_build_object('kind', kind, 'appRowId', app_row_id, 'state', state, 'attempts', attempts, 'lastError', last_error)
        order by updated_at desc) filter (where last_error is not null)) as problems
    from sync.sync_items where partner = ${partner} and user_id = ${userId} group by state`.execute(db);
  const counts: Record<string, number> = {};
  const problems = [];
  for (const row of r.rows) {
    counts[row.state] = row.n;
    problems.push(...(row.problems ?? []).slice(0, 20));
  }
  return { counts, problems };
}
