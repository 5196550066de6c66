import type { DataTypes } from '@healthsync/contracts';
import type { DbOrTx } from '@healthsync/platform';
import { sql } from 'kysely';

export type ConnectionStatus = 'connected' | 'needs_reauth' | 'disconnected';

export interface ConnectionRow {
  user_id: string;
  partner: string;
  status: ConnectionStatus;
  auth_generation: string;
  epoch: number;
  external_user_id: string | null;
  data_types: DataTypes;
  auth_failures: number;
  last_error_code: string | null;
  last_error: string | null;
  last_error_at: Date | null;
  connected_at: Date;
  disconnected_at: Date | null;
  updated_at: Date;
}

export async function findConnection(
  db: DbOrTx,
  userId: string,
  partner: string,
): Promise<ConnectionRow | undefined> {
  const { rows } = await sql<ConnectionRow>`
    select * from auth.connections where user_id = ${userId} and partner = ${partner}`.execute(db);
  return rows[0];
}

/** The row locked for the rest of the transaction (undefined when there is none). */
export async function lockConnection(
  trx: DbOrTx,
  userId: string,
  partner: string,
): Promise<ConnectionRow | undefined> {
  const { rows } = await sql<ConnectionRow>`
    select * from auth.connections where user_id = ${userId} and partner = ${partner} for update`.execute(
    trx,
  );
  return rows[0];
}

export async function listConnections(db: DbOrTx, userId: string): Promise<ConnectionRow[]> {
  const { rows } = await sql<ConnectionRow>`
    select * from auth.connections where user_id = ${userId} order by partner`.execute(db);
  return rows;
}

export interface ConnectedInput {
  userId: string;
  partner: string;
  authGeneration: string;
  externalUserId: string | null;
  dataTypes: DataTypes;
  at: Date;
}

/** Insert or revive the connection as connected; a revived one gets the next epoch. */
export async function upsertConnected(trx: DbOrTx, input: ConnectedInput): Promise<ConnectionRow> {
  const { rows } = await sql<ConnectionRow>`
    insert into auth.connections
      (user_id, partner, status, auth_generation, epoch, external_user_id, data_types, connected_at, updated_at)
    values (${input.userId}, ${input.partner}, 'connected', ${input.authGeneration}, 1, ${input.externalUserId},
      ${JSON.stringify(input.dataTypes)}::jsonb, ${input.at}, ${input.at})
    on conflict (user_id, partner) do update set
      status = 'connected',
      auth_generation = excluded.auth_generation,
      epoch = auth.connections.epoch + 1,
      external_user_id = excluded.external_user_id,
      data_types = excluded.data_types,
      auth_failures = 0,
      last_error_code = null,
      last_error = null,
      last_error_at = null,
      connected_at = excluded.connected_at,
      disconnected_at = null,
      updated_at = excluded.updated_at
    returning *`.execute(trx);
  return rows[0] as ConnectionRow;
}

/** Connected or needs-reauth -> disconnected. False when it already was (or never existed). */
export async function markDisconnected(
  trx: DbOrTx,
  userId: string,
  partner: string,
  at: Date,
): Promise<boolean> {
  const result = await sql`
    update auth.connections set status = 'disconnected', disconnected_at = ${at}, updated_at = ${at}
    where user_id = ${userId} and partner = ${partner} and status <> 'disconnected'`.execute(trx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export async function updateDataTypes(
  trx: DbOrTx,
  userId: string,
  partner: string,
  dataTypes: DataTypes,
  at: Date,
): Promise<ConnectionRow | undefined> {
  const { rows } = await sql<ConnectionRow>`
    update auth.connections set data_types = ${JSON.stringify(dataTypes)}::jsonb, updated_at = ${at}
    where user_id = ${userId} and partner = ${partner} and status <> 'disconnected'
    returning *`.execute(trx);
  return rows[0];
}

export interface FailureInput {
  code: string;
  message: string;
  at: Date;
}

/**
 * Count one more classified auth failure of a refresh; at `threshold` consecutive failures a
 * connected connection becomes needs_reauth. `becameNeedsReauth` is true only for the update that
 * made that transition, so the event is emitted once.
 */
export async function recordAuthFailure(
  trx: DbOrTx,
  userId: string,
  partner: string,
  failure: FailureInput,
  threshold: number,
): Promise<{ failures: number; becameNeedsReauth: boolean } | undefined> {
  const { rows } = await sql<{
    auth_failures: number;
    status: ConnectionStatus;
    old_status: ConnectionStatus;
  }>`
    with old as (
      select status from auth.connections where user_id = ${userId} and partner = ${partner} for update
    )
    update auth.connections c set
      auth_failures = c.auth_failures + 1,
      status = case when c.status = 'connected' and c.auth_failures + 1 >= ${threshold} then 'needs_reauth' else c.status end,
      last_error_code = ${failure.code}, last_error = ${failure.message}, last_error_at = ${failure.at}, updated_at = ${failure.at}
    from old
    where c.user_id = ${userId} and c.partner = ${partner} and c.status <> 'disconnected'
    returning c.auth_failures, c.status, old.status as old_status`.execute(trx);
  const row = rows[0];
  if (!row) return undefined;
  return {
    failures: row.auth_failures,
    becameNeedsReauth: row.old_status === 'connected' && row.status === 'needs_reauth',
  };
}

/** A failure that says nothing about the grant (transient, rate limited): kept for operators. */
export async function recordError(
  trx: DbOrTx,
  userId: string,
  partner: string,
  failure: FailureInput,
): Promise<void> {
  await sql`
    update auth.connections set last_error_code = ${failure.code}, last_error = ${failure.message},
      last_error_at = ${failure.at}, updated_at = ${failure.at}
    where user_id = ${userId} and partner = ${partner}`.execute(trx);
}

export async function clearAuthFailures(
  trx: DbOrTx,
  userId: string,
  partner: string,
  at: Date,
): Promise<void> {
  await sql`
    update auth.connections set auth_failures = 0, last_error_code = null, last_error = null, last_error_at = null, updated_at = ${at}
    where user_id = ${userId} and partner = ${partner} and (auth_failures <> 0 or last_error_code is not null)`.execute(
    trx,
  );
}

/**
 * connected -> needs_reauth, unless the connection was (re)made after `notAfter` (a late event
 * about an earlier connection changes nothing). True when this call made the transition.
 */
export async function markNeedsReauth(
  trx: DbOrTx,
  userId: string,
  partner: string,
  failure: FailureInput,
  notAfter?: Date,
): Promise<boolean> {
  const guard = notAfter ? sql`and connected_at <= ${notAfter}` : sql``;
  const result = await sql`
    update auth.connections set status = 'needs_reauth', last_error_code = ${failure.code},
      last_error = ${failure.message}, last_error_at = ${failure.at}, updated_at = ${failure.at}
    where user_id = ${userId} and partner = ${partner} and status = 'connected' ${guard}`.execute(trx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Our users behind the partner's account ids (a webhook names accounts, not users). One round trip. */
export async function findUsersByExternalIds(
  db: DbOrTx,
  partner: string,
  externalUserIds: readonly string[],
): Promise<{ user_id: string; external_user_id: string; status: ConnectionStatus }[]> {
  if (externalUserIds.length === 0) return [];
  const { rows } = await sql<{ user_id: string; external_user_id: string; status: ConnectionStatus }>`
    select user_id, external_user_id, status from auth.connections
    where partner = ${partner} and external_user_id = any(${[...externalUserIds]}::text[]) and status <> 'disconnected'`.execute(
    db,
  );
  return rows;
}
