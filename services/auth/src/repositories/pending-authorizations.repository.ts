import type { DataTypes } from '@healthsync/contracts';
import type { DbOrTx } from '@healthsync/platform';
import { sql } from 'kysely';

export interface PendingRow {
  state_hash: Buffer;
  user_id: string;
  partner: string;
  auth_generation: string;
  kind: 'oauth2' | 'oauth1';
  redirect_uri: string;
  return_url: string;
  data_types: DataTypes;
  request_token_hash: Buffer | null;
  key_id: string | null;
  sealed: Buffer | null;
  created_at: Date;
  expires_at: Date;
}

export interface PendingInput {
  stateHash: Buffer;
  userId: string;
  partner: string;
  authGeneration: string;
  kind: 'oauth2' | 'oauth1';
  redirectUri: string;
  returnUrl: string;
  dataTypes: DataTypes;
  requestTokenHash: Buffer | null;
  keyId: string | null;
  sealed: Buffer | null;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertPending(db: DbOrTx, input: PendingInput): Promise<void> {
  await sql`
    insert into auth.pending_authorizations
      (state_hash, user_id, partner, auth_generation, kind, redirect_uri, return_url, data_types,
       request_token_hash, key_id, sealed, created_at, expires_at)
    values (${input.stateHash}, ${input.userId}, ${input.partner}, ${input.authGeneration}, ${input.kind},
      ${input.redirectUri}, ${input.returnUrl}, ${JSON.stringify(input.dataTypes)}::jsonb, ${input.requestTokenHash},
      ${input.keyId}, ${input.sealed}, ${input.createdAt}, ${input.expiresAt})`.execute(db);
}

/**
 * Take the pending authorization of `state` for this partner, atomically: the row is deleted by
 * the same statement that reads it, so of two callbacks carrying one state only one gets it. An
 * expired row is consumed too (the caller refuses it).
 */
export async function consumePending(
  db: DbOrTx,
  stateHash: Buffer,
  partner: string,
): Promise<PendingRow | undefined> {
  const { rows } = await sql<PendingRow>`
    delete from auth.pending_authorizations where state_hash = ${stateHash} and partner = ${partner}
    returning *`.execute(db);
  return rows[0];
}

export async function deleteExpiredPending(db: DbOrTx, now: Date, limit = 5_000): Promise<number> {
  const result = await sql`
    delete from auth.pending_authorizations where state_hash in (
      select state_hash from auth.pending_authorizations where expires_at < ${now} limit ${limit})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}

export async function lockPendingRewrapBatch(
  trx: DbOrTx,
  primaryKeyId: string,
  after: Buffer | undefined,
  limit: number,
): Promise<{ state_hash: Buffer; key_id: string; sealed: Buffer }[]> {
  const cursor = after ? sql`and state_hash > ${after}` : sql``;
  const { rows } = await sql<{ state_hash: Buffer; key_id: string; sealed: Buffer }>`
    select state_hash, key_id, sealed from auth.pending_authorizations
    where key_id is not null and key_id <> ${primaryKeyId} ${cursor}
    order by state_hash limit ${limit}
    for update skip locked`.execute(trx);
  return rows;
}

export async function writePendingRewrapped(
  trx: DbOrTx,
  rows: readonly { stateHash: Buffer; fromKeyId: string; keyId: string; sealed: Buffer }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    update auth.pending_authorizations p set key_id = r.key_id, sealed = r.sealed
    from unnest(${rows.map((r) => r.stateHash)}::bytea[], ${rows.map((r) => r.fromKeyId)}::text[],
      ${rows.map((r) => r.keyId)}::text[], ${rows.map((r) => r.sealed)}::bytea[]) as r(state_hash, from_key_id, key_id, sealed)
    where p.state_hash = r.state_hash and p.key_id = r.from_key_id`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
