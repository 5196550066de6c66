import { type DbOrTx, PREPARED_MARK } from '@healthsync/platform';
import { CompiledQuery, sql } from 'kysely';
import type { ConnectionStatus } from './connections.repository.js';

export interface CredentialRow {
  user_id: string;
  partner: string;
  auth_generation: string;
  epoch: number;
  key_id: string;
  sealed: Buffer;
  access_expires_at: Date | null;
  refreshable: boolean;
  refreshed_at: Date;
  version: number;
}

/** A credential with the state of its connection. */
export interface UsableCredentialRow extends CredentialRow {
  status: ConnectionStatus;
  external_user_id: string | null;
}

// Read on every internal credentials request. Its text is the same on every call (values are
// parameters), so it is marked to be kept prepared on each connection (the platform's
// PreparingClient, createDb's default): PostgreSQL plans the join once per connection instead of on
// every call. (`auth.usable_credential`, migration 0002, read it before and is no longer called; it
// stays for one release, so instances of the previous release keep answering during a rolling
// deploy, and a migration of the next release drops it.)
const READ_CREDENTIAL = `${PREPARED_MARK}
  select cr.user_id, cr.partner, cr.auth_generation, cr.epoch, cr.key_id, cr.sealed, cr.access_expires_at,
    cr.refreshable, cr.refreshed_at, cr.version, c.status, c.external_user_id
  from auth.credentials cr join auth.connections c on c.user_id = cr.user_id and c.partner = cr.partner
  where cr.user_id = $1 and cr.partner = $2`;

export async function readCredential(
  db: DbOrTx,
  userId: string,
  partner: string,
): Promise<UsableCredentialRow | undefined> {
  const { rows } = await db.executeQuery<UsableCredentialRow>(
    CompiledQuery.raw(READ_CREDENTIAL, [userId, partner]),
  );
  return rows[0];
}

export interface CredentialInput {
  userId: string;
  partner: string;
  authGeneration: string;
  epoch: number;
  keyId: string;
  sealed: Buffer;
  accessExpiresAt: Date | null;
  refreshable: boolean;
  refreshedAt: Date;
}

/** Store the credentials of a new connection epoch (replacing any earlier ones). */
export async function putCredential(trx: DbOrTx, input: CredentialInput): Promise<void> {
  await sql`
    insert into auth.credentials
      (user_id, partner, auth_generation, epoch, key_id, sealed, access_expires_at, refreshable, refreshed_at, version)
    values (${input.userId}, ${input.partner}, ${input.authGeneration}, ${input.epoch}, ${input.keyId}, ${input.sealed},
      ${input.accessExpiresAt}, ${input.refreshable}, ${input.refreshedAt}, 1)
    on conflict (user_id, partner) do update set
      auth_generation = excluded.auth_generation, epoch = excluded.epoch, key_id = excluded.key_id,
      sealed = excluded.sealed, access_expires_at = excluded.access_expires_at,
      refreshable = excluded.refreshable, refreshed_at = excluded.refreshed_at,
      version = auth.credentials.version + 1`.execute(trx);
}

export interface RefreshedInput {
  userId: string;
  partner: string;
  expectedVersion: number;
  keyId: string;
  sealed: Buffer;
  accessExpiresAt: Date | null;
  refreshable: boolean;
  refreshedAt: Date;
}

/** Write refreshed tokens if nobody wrote since `expectedVersion`; the new version, or undefined. */
export async function updateRefreshed(db: DbOrTx, input: RefreshedInput): Promise<number | undefined> {
  const { rows } = await sql<{ version: number }>`
    update auth.credentials set key_id = ${input.keyId}, sealed = ${input.sealed},
      access_expires_at = ${input.accessExpiresAt}, refreshable = ${input.refreshable},
      refreshed_at = ${input.refreshedAt}, version = version + 1
    where user_id = ${input.userId} and partner = ${input.partner} and version = ${input.expectedVersion}
    returning version`.execute(db);
  return rows[0]?.version;
}

export async function deleteCredential(trx: DbOrTx, userId: string, partner: string): Promise<boolean> {
  const result =
    await sql`delete from auth.credentials where user_id = ${userId} and partner = ${partner}`.execute(trx);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export interface RewrapCandidate {
  user_id: string;
  partner: string;
  auth_generation: string;
  epoch: number;
  key_id: string;
  sealed: Buffer;
}

/**
 * The next batch of rows not sealed with `primaryKeyId`, after the keyset cursor, locked for the
 * transaction; rows another transaction holds (a refresh writing) are skipped, not waited for.
 */
export async function lockRewrapBatch(
  trx: DbOrTx,
  primaryKeyId: string,
  after: { userId: string; partner: string } | undefined,
  limit: number,
): Promise<RewrapCandidate[]> {
  const cursor = after ? sql`and (user_id, partner) > (${after.userId}, ${after.partner})` : sql``;
  const { rows } = await sql<RewrapCandidate>`
    select user_id, partner, auth_generation, epoch, key_id, sealed from auth.credentials
    where key_id <> ${primaryKeyId} ${cursor}
    order by user_id, partner limit ${limit}
    for update skip locked`.execute(trx);
  return rows;
}

/** Replace the sealed value of many rows at once (one round trip); only rows still under `fromKeyId`. */
export async function writeRewrapped(
  trx: DbOrTx,
  rows: readonly { userId: string; partner: string; fromKeyId: string; keyId: string; sealed: Buffer }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    update auth.credentials cr set key_id = r.key_id, sealed = r.sealed
    from unnest(${rows.map((r) => r.userId)}::text[], ${rows.map((r) => r.partner)}::text[],
      ${rows.map((r) => r.fromKeyId)}::text[], ${rows.map((r) => r.keyId)}::text[], ${rows.map((r) => r.sealed)}::bytea[])
      as r(user_id, partner, from_key_id, key_id, sealed)
    where cr.user_id = r.user_id and cr.partner = r.partner and cr.key_id = r.from_key_id`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Refreshable credentials of connected connections not refreshed since `before` (idle ones),
 * oldest first, keyset-paged on (refreshed_at, user, partner) so a row that fails to refresh does
 * not come back in the same sweep.
 */
export async function listIdle(
  db: DbOrTx,
  before: Date,
  after: { refreshedAt: Date; userId: string; partner: string } | undefined,
  limit: number,
): Promise<{ user_id: string; partner: string; refreshed_at: Date }[]> {
  const cursor = after
    ? sql`and (cr.refreshed_at, cr.user_id, cr.partner) > (${after.refreshedAt}, ${after.userId}, ${after.partner})`
    : sql``;
  const { rows } = await sql<{ user_id: string; partner: string; refreshed_at: Date }>`
    select cr.user_id, cr.partner, cr.refreshed_at
    from auth.credentials cr join auth.connections c using (user_id, partner)
    where cr.refreshable and cr.refreshed_at < ${before} and c.status = 'connected' ${cursor}
    order by cr.refreshed_at, cr.user_id, cr.partner limit ${limit}`.execute(db);
  return rows;
}
