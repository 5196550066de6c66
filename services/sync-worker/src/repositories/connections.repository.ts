import { type DbOrTx, sql } from '@healthsync/platform';

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

export async function upsertConnected(
  trx: DbOrTx,
  c: {
    partner: string;
    userId: string;
    externalUserId: string;
    generation: string;
    poll: string[];
    push: string[];
  },
): Promise<void> {
  await sql`
    insert into sync.connections (partner, user_id, external_user_id, generation, status, poll_kinds, push_kinds)
    values (${c.partner}, ${c.userId}, ${c.externalUserId}, ${c.generation}, 'connected', ${c.poll}, ${c.push})
    on conflict (partner, user_id) do update set external_user_id = excluded.external_user_id,
      generation = excluded.generation, status = 'connected', poll_kinds = excluded.poll_kinds,
      push_kinds = excluded.push_kinds, updated_at = now()`.execute(trx);
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

export async function setKinds(
  trx: DbOrTx,
  partner: string,
  userId: string,
  poll: string[],
  push: string[],
): Promise<void> {
  await sql`update sync.connections set poll_kinds = ${poll}, push_kinds = ${push}, updated_at = now()
    where partner = ${partner} and user_id = ${userId}`.execute(trx);
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

/**
 * Start a leased sync in ONE round trip (a statement kept prepared: the platform's PreparingClient): take the fence if it is newer than any started before
 * (a redelivered or stale `sync.due` gets nothing), and read the connection, its cursors and
 * how many items wait to be pushed. A connection the worker has not heard of yet gets an
 * `unknown` row that holds the fence until its `connection.connected` arrives.
 */
export async function startSync(
  db: DbOrTx,
  partner: string,
  userId: string,
  fence: number,
  now: Date,
): Promise<SyncStart | undefined> {
  const r = await sql<
    ConnectionRow & {
      cursors: Record<string, string> | null;
      pending: number;
      in_flight_kinds: string[] | null;
    }
  >`
    /* prepared */ with claimed as (
      insert into sync.connections as c (partner, user_id, status, fence, last_sync_at)
      values (${partner}, ${userId}, 'unknown', ${fence}, ${now})
      on conflict (partner, user_id) do update set fence = excluded.fence, last_sync_at = excluded.last_sync_at
        where c.fence < excluded.fence
      returning partner, user_id, external_user_id, generation, status, poll_kinds, push_kinds, fence, last_sync_at,
      last_outcome, last_finished_at, quiet_syncs
    )
    select claimed.*,
      (select jsonb_object_agg(kind, cursor) from sync.cursors
        where partner = ${partner} and user_id = ${userId}) as cursors,
      (select count(*)::int from sync.sync_items where partner = ${partner} and user_id = ${userId}
        and ((state = 'pending' and (next_attempt_at is null or next_attempt_at <= ${now})) or in_flight_hash is not null)) as pending,
      (select array_agg(distinct kind) from sync.sync_items where partner = ${partner} and user_id = ${userId}
        and in_flight_hash is not null) as in_flight_kinds
    from claimed`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { cursors, pending, in_flight_kinds, ...connection } = row;
  return { connection, cursors: cursors ?? {}, pendingCount: pending, inFlightKinds: in_flight_kinds ?? [] };
}
