import { type DbOrTx, sql } from '@healthsync/platform';
import type { RawBuilder } from 'kysely';
import { byConnection, connectionKey } from '../grouping.js';

export interface ConnectionRow {
  partner: string;
  user_id: string;
  external_user_id: string | null;
  generation: string | null;
  status: 'connected' | 'disconnected' | 'needs_reauth' | 'unknown';
  poll_kinds: string[];
  push_kinds: string[];
  fence: number;
  last_sync_at: Date | null;
  last_outcome: string | null;
  last_finished_at: Date | null;
  /** Syncs since the last logged one that moved nothing and met no problem. */
  quiet_syncs: number;
}

/** The kinds of `push` not among `before` (a `text[]` expression, null: none), as a `text[]`. */
const newKinds = (push: string[], before: RawBuilder<unknown>) =>
  sql`array(select k from unnest(${push}::text[]) k where not k = any(coalesce(${before}, '{}'::text[])))`;

/** `kindSince` (a connection's `kind_push_since`) with each of `kinds` beginning its pushes at `since`. */
const beginningAt = (kindSince: RawBuilder<unknown>, kinds: RawBuilder<unknown>, since: Date) =>
  sql`${kindSince} || coalesce((select jsonb_object_agg(k, ${since.toISOString()}::text) from unnest(${kinds}) k), '{}'::jsonb)`;

/**
 * Insert or update the connection; `pushSince` is where its pushes begin, kept on a reconnect of the
 * same account and set anew for a new connection, a different account, or a connection the worker
 * knew only from a `sync.due` that came first (`unknown`). `fresh`: it is one of those three.
 * `added`: on a reconnect of the same account, the kinds it pushes now and did not before (they
 * begin their pushes at `pushSince`, as after a change of preferences).
 */
export async function upsertConnected(
  trx: DbOrTx,
  c: {
    partner: string;
    userId: string;
    externalUserId: string;
    generation: string;
    poll: string[];
    push: string[];
    pushSince: Date;
    accountChanged: boolean;
  },
): Promise<{ fresh: boolean; added: string[] }> {
  const r = await sql<{ fresh: boolean; added: string[] }>`
    with prior as (
      select status, push_kinds from sync.connections where partner = ${c.partner} and user_id = ${c.userId}
    ), kept as (
      select not ${c.accountChanged} and coalesce((select status from prior), 'unknown') <> 'unknown' as same
    ), added as (
      select case when kept.same then ${newKinds(c.push, sql`(select push_kinds from prior)`)} else '{}' end as kinds
      from kept
    )
    insert into sync.connections (partner, user_id, external_user_id, generation, status, poll_kinds, push_kinds, push_since)
    values (${c.partner}, ${c.userId}, ${c.externalUserId}, ${c.generation}, 'connected', ${c.poll}, ${c.push}, ${c.pushSince})
    on conflict (partner, user_id) do update set external_user_id = excluded.external_user_id,
      generation = excluded.generation, status = 'connected', poll_kinds = excluded.poll_kinds,
      push_kinds = excluded.push_kinds, updated_at = now(),
      push_since = case when (select same from kept) then sync.connections.push_since else excluded.push_since end,
      kind_push_since = case when (select same from kept)
        then ${beginningAt(sql`sync.connections.kind_push_since`, sql`(select kinds from added)`, c.pushSince)}
        else '{}'::jsonb end
    returning not (select same from kept) as fresh, (select kinds from added) as added`.execute(trx);
  return { fresh: r.rows[0]?.fresh ?? false, added: r.rows[0]?.added ?? [] };
}

export async function setStatus(
  trx: DbOrTx,
  partner: string,
  userId: string,
  status: ConnectionRow['status'],
): Promise<void> {
  await sql`update sync.connections set status = ${status}, updated_at = now()
    where partner = ${partner} and user_id = ${userId}`.execute(trx);
}

/**
 * Set the connection's kinds; a kind it did not push before begins its pushes at `pushSince`.
 * Returns those kinds (none when the worker does not know the connection).
 */
export async function setKinds(
  trx: DbOrTx,
  partner: string,
  userId: string,
  poll: string[],
  push: string[],
  pushSince: Date,
): Promise<string[]> {
  const added = newKinds(push, sql`prior.push_kinds`);
  const r = await sql<{ added: string[] }>`
    update sync.connections c set poll_kinds = ${poll}, push_kinds = ${push}, updated_at = now(),
      kind_push_since = ${beginningAt(sql`c.kind_push_since`, added, pushSince)}
    from sync.connections prior
    where c.partner = ${partner} and c.user_id = ${userId}
      and prior.partner = c.partner and prior.user_id = c.user_id
    returning ${added} as added`.execute(trx);
  return r.rows[0]?.added ?? [];
}

export async function findConnection(
  db: DbOrTx,
  partner: string,
  userId: string,
): Promise<ConnectionRow | undefined> {
  const r =
    await sql<ConnectionRow>`select partner, user_id, external_user_id, generation, status, poll_kinds, push_kinds, fence, last_sync_at,
      last_outcome, last_finished_at, quiet_syncs
    from sync.connections where partner = ${partner} and user_id = ${userId}`.execute(db);
  return r.rows[0];
}

export interface SyncStart {
  connection: ConnectionRow;
  cursors: Record<string, string>;
  /** Items waiting to be pushed now, plus creates in flight (whose outcome a poll may tell). */
  pendingCount: number;
  /** Kinds with a create in flight (outcome unknown): a poll of them may show the partner's copy. */
  inFlightKinds: string[];
}

export interface StartRequest {
  readonly partner: string;
  readonly userId: string;
  readonly fence: number;
  readonly now: Date;
}

/**
 * Start leased syncs in ONE statement (kept prepared: the platform's PreparingClient; its text is
 * the same for any number of requests), one answer per request in order. Each request takes its
 * connection's fence if it is newer than any started before (a redelivered or stale `sync.due`
 * gets nothing), and reads the connection, its cursors and how many items wait to be pushed. A
 * connection the worker has not heard of yet gets an `unknown` row that holds the fence until its
 * `connection.connected` arrives. A connection may appear once per call (a row is written once
 * per statement).
 */
export async function startSyncs(
  db: DbOrTx,
  requests: readonly StartRequest[],
): Promise<(SyncStart | undefined)[]> {
  if (requests.length === 0) return [];
  // Rows locked in one order (partner, user) by every call, so two calls do not deadlock.
  const sorted = [...requests].sort(byConnection);
  const r = await sql<
    ConnectionRow & {
      cursors: Record<string, string> | null;
      pending: number;
      in_flight_kinds: string[] | null;
    }
  >`
    /* prepared */ with wanted as (
      select * from unnest(${sorted.map((q) => q.partner)}::text[], ${sorted.map((q) => q.userId)}::text[],
        ${sorted.map((q) => q.fence)}::bigint[], ${sorted.map((q) => q.now)}::timestamptz[])
        with ordinality as w(partner, user_id, fence, now, n)
    ), claimed as (
      insert into sync.connections as c (partner, user_id, status, fence, last_sync_at)
      select partner, user_id, 'unknown', fence, now from wanted order by n
      on conflict (partner, user_id) do update set fence = excluded.fence, last_sync_at = excluded.last_sync_at
        where c.fence < excluded.fence
      returning partner, user_id, external_user_id, generation, status, poll_kinds, push_kinds, fence, last_sync_at,
      last_outcome, last_finished_at, quiet_syncs
    )
    select claimed.*,
      (select jsonb_object_agg(kind, cursor) from sync.cursors k
        where k.partner = claimed.partner and k.user_id = claimed.user_id) as cursors,
      (select count(*)::int from sync.sync_items i where i.partner = claimed.partner and i.user_id = claimed.user_id
        and ((i.state = 'pending' and (i.next_attempt_at is null or i.next_attempt_at <= claimed.last_sync_at))
          or i.in_flight_hash is not null)) as pending,
      (select array_agg(distinct kind) from sync.sync_items i where i.partner = claimed.partner
        and i.user_id = claimed.user_id and i.in_flight_hash is not null) as in_flight_kinds
    from claimed`.execute(db);
  const byKey = new Map<string, SyncStart>();
  for (const row of r.rows) {
    const { cursors, pending, in_flight_kinds, ...connection } = row;
    byKey.set(`${connectionKey({ partner: row.partner, userId: row.user_id })}\u0000${row.fence}`, {
      connection,
      cursors: cursors ?? {},
      pendingCount: pending,
      inFlightKinds: in_flight_kinds ?? [],
    });
  }
  return requests.map((q) => byKey.get(`${connectionKey(q)}\u0000${q.fence}`));
}
