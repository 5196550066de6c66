import { randomUUID } from 'node:crypto';
import { isPartnerError, oauth2Refresh, type PartnerError } from '@healthsync/partner-kit';
import { createEvent, HttpProblem, withTransaction } from '@healthsync/platform';
import { type AuthContext, emit, SOURCE } from '../context.js';
import { type CredentialSecrets, credentialsAad, openCredentials, sealJson } from '../crypto/secrets.js';
import { clearAuthFailures, recordAuthFailure, recordError } from '../repositories/connections.repository.js';
import {
  readCredential,
  type UsableCredentialRow,
  updateRefreshed,
} from '../repositories/credentials.repository.js';
import { releaseRefreshLock, tryAcquireRefreshLock } from '../repositories/refresh-locks.repository.js';
import { problemForPartnerError } from './problems.js';

/** What a sync worker gets (never logged). */
export interface UsableCredentials {
  readonly accessToken: string;
  readonly tokenSecret?: string;
  readonly expiresAt: Date | null;
  readonly generation: string;
  readonly externalUserId: string | null;
}

export type RefreshReason = 'expiring' | 'forced' | 'idle';

export interface CredentialsRequest {
  /** The partner answered 401 to the token the worker has: refresh unless it was just refreshed. */
  readonly force?: boolean;
}

const notConnected = () =>
  new HttpProblem(404, 'not_connected', 'Not connected', 'This user has no connection to this partner');
const needsReauth = () =>
  new HttpProblem(409, 'needs_reauth', 'Needs re-authorization', 'The user must connect this partner again');

function identity(row: UsableCredentialRow) {
  return { userId: row.user_id, partner: row.partner, authGeneration: row.auth_generation, epoch: row.epoch };
}

function view(row: UsableCredentialRow, secrets: CredentialSecrets): UsableCredentials {
  const base = { generation: row.auth_generation, externalUserId: row.external_user_id };
  return secrets.kind === 'oauth2'
    ? { ...base, accessToken: secrets.accessToken, expiresAt: row.access_expires_at }
    : { ...base, accessToken: secrets.token, tokenSecret: secrets.tokenSecret, expiresAt: null };
}

function usable(row: UsableCredentialRow | undefined): UsableCredentialRow {
  if (!row || row.status === 'disconnected') throw notConnected();
  if (row.status === 'needs_reauth') throw needsReauth();
  return row;
}

/** Whether the stored token should be refreshed before it is handed out. */
function wantsRefresh(
  ctx: AuthContext,
  row: UsableCredentialRow,
  reason: RefreshReason | undefined,
): boolean {
  const now = ctx.clock.now().getTime();
  if (reason === 'idle') return row.refreshable;
  // A forced refresh right after another one reuses it; without a refresh token there is nothing
  // to wait for (the caller learns at once that the credentials cannot be renewed).
  if (reason === 'forced')
    return !row.refreshable || now - row.refreshed_at.getTime() >= ctx.settings.forceMinIntervalMs;
  return (
    row.access_expires_at !== null && row.access_expires_at.getTime() - now <= ctx.settings.refreshSkewMs
  );
}

/**
 * Usable credentials for one connection (DESIGN.md §5 internal credentials API): refreshed first
 * when the access token is close to expiry (or `force`), with one refresh per connection at a
 * time across processes. Callers that arrive during a refresh share its result.
 */
export async function getUsableCredentials(
  ctx: AuthContext,
  partnerId: string,
  userId: string,
  request: CredentialsRequest = {},
): Promise<UsableCredentials> {
  const row = usable(await readCredential(ctx.db, userId, partnerId));
  const reason: RefreshReason | undefined = request.force ? 'forced' : undefined;
  if (!wantsRefresh(ctx, row, reason))
    return view(row, openCredentials(ctx.keyRing, { keyId: row.key_id, data: row.sealed }, identity(row)));
  return refreshCredentials(ctx, row, reason ?? 'expiring');
}

/** Join the refresh in flight for this connection in this process, or start one. */
export function refreshCredentials(
  ctx: AuthContext,
  seen: UsableCredentialRow,
  reason: RefreshReason,
): Promise<UsableCredentials> {
  const key = `${seen.partner}\u0000${seen.user_id}`;
  const inFlight = ctx.flights.get(key) as Promise<UsableCredentials> | undefined;
  if (inFlight) return inFlight;
  const flight = refreshUnderLock(ctx, seen, reason).finally(() => {
    ctx.flights.delete(key);
  });
  ctx.flights.set(key, flight);
  return flight;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refreshUnderLock(
  ctx: AuthContext,
  seen: UsableCredentialRow,
  reason: RefreshReason,
): Promise<UsableCredentials> {
  const { db, settings } = ctx;
  const holder = randomUUID();
  const deadline = Date.now() + settings.lockWaitMs;
  // Take the connection's lock, or wait for its holder: when the stored version moves past the
  // one we saw, someone else refreshed and their token is ours too.
  for (;;) {
    if (await tryAcquireRefreshLock(db, seen.user_id, seen.partner, holder, settings.lockTtlMs)) break;
    await sleep(settings.lockPollMs / 2 + Math.random() * settings.lockPollMs);
    const now = usable(await readCredential(db, seen.user_id, seen.partner));
    if (now.version !== seen.version || now.epoch !== seen.epoch)
      return view(now, openCredentials(ctx.keyRing, { keyId: now.key_id, data: now.sealed }, identity(now)));
    if (Date.now() > deadline)
      throw new HttpProblem(
        503,
        'refresh_in_progress',
        'Refresh in progress',
        'Another refresh of this connection is taking long; retry shortly',
        {
          retryAt: new Date(ctx.clock.now().getTime() + 5_000).toISOString(),
        },
      );
  }
  try {
    // Re-read under the lock: a refresh that finished between our read and the lock counts.
    const current = usable(await readCredential(db, seen.user_id, seen.partner));
    const secrets = openCredentials(
      ctx.keyRing,
      { keyId: current.key_id, data: current.sealed },
      identity(current),
    );
    if (
      current.version !== seen.version ||
      current.epoch !== seen.epoch ||
      !wantsRefresh(ctx, current, reason)
    )
      return view(current, secrets);
    return await refreshNow(ctx, current, secrets, reason);
  } finally {
    await releaseRefreshLock(db, seen.user_id, seen.partner, holder).catch((e: unknown) => {
      ctx.logger.warn(
        { err: e instanceof Error ? e.message : String(e), partner: seen.partner },
        'could not release a refresh lock (it expires)',
      );
    });
  }
}

async function refreshNow(
  ctx: AuthContext,
  row: UsableCredentialRow,
  secrets: CredentialSecrets,
  reason: RefreshReason,
): Promise<UsableCredentials> {
  const log = ctx.logger.child({ partner: row.partner, userId: row.user_id, reason });
  const partner = ctx.partners.get(row.partner);
  const gen = partner?.resolved.generations[row.auth_generation];
  const refreshToken = secrets.kind === 'oauth2' ? secrets.refreshToken : undefined;
  if (!partner || gen?.kind !== 'oauth2' || gen.refresh === 'none' || !refreshToken || !row.refreshable) {
    // Nothing to refresh with: a forced refresh means the partner refused a token we cannot renew.
    if (
      reason === 'expiring' &&
      (row.access_expires_at?.getTime() ?? Number.POSITIVE_INFINITY) > ctx.clock.now().getTime()
    )
      return view(row, secrets);
    throw new HttpProblem(
      409,
      'auth_revoked',
      'Credentials cannot be renewed',
      `${row.partner} credentials of this generation cannot be refreshed`,
    );
  }
  let tokens: Awaited<ReturnType<typeof oauth2Refresh>>;
  try {
    tokens = await oauth2Refresh(partner.resolved, row.auth_generation, refreshToken, {
      now: () => ctx.clock.now(),
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      timeoutSeconds: ctx.settings.partnerTimeoutSeconds,
    });
  } catch (e) {
    if (!isPartnerError(e)) throw e;
    return onRefreshFailure(ctx, row, secrets, reason, e);
  }
  const next: CredentialSecrets = {
    kind: 'oauth2',
    accessToken: tokens.accessToken,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
  };
  const sealed = sealJson(ctx.keyRing, next, credentialsAad(identity(row)));
  const at = ctx.clock.now();
  const accessExpiresAt = tokens.expiresAt ?? null;
  // Persist before handing the new access token out (Withings drops the old refresh token once
  // the new access token is used; Fitbit's are single-use).
  const version = await withTransaction(ctx.db, async (trx) => {
    const v = await updateRefreshed(trx, {
      userId: row.user_id,
      partner: row.partner,
      expectedVersion: row.version,
      keyId: sealed.keyId,
      sealed: sealed.data,
      accessExpiresAt,
      refreshable: Boolean(next.refreshToken),
      refreshedAt: at,
    });
    if (v !== undefined) await clearAuthFailures(trx, row.user_id, row.partner, at);
    return v;
  });
  if (version === undefined) {
    // The row changed under us (disconnected, reconnected, or our lock expired mid-call).
    log.warn('credentials changed during a refresh; the refreshed tokens were not stored');
    const now = usable(await readCredential(ctx.db, row.user_id, row.partner));
    return view(now, openCredentials(ctx.keyRing, { keyId: now.key_id, data: now.sealed }, identity(now)));
  }
  log.info('tokens refreshed');
  return {
    accessToken: next.accessToken,
    expiresAt: accessExpiresAt,
    generation: row.auth_generation,
    externalUserId: row.external_user_id,
  };
}

async function onRefreshFailure(
  ctx: AuthContext,
  row: UsableCredentialRow,
  secrets: CredentialSecrets,
  reason: RefreshReason,
  e: PartnerError,
): Promise<UsableCredentials> {
  const log = ctx.logger.child({ partner: row.partner, userId: row.user_id, reason });
  const at = ctx.clock.now();
  const failure = { code: e.code, message: e.message, at };
  if (e.code === 'auth_revoked') {
    // invalid_grant may only mean someone else rotated the refresh token (a holder whose lock
    // expired mid-call): re-read, a few times over a short while so its commit can land, first.
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) await sleep(ctx.settings.lockPollMs * 2);
      const again = await readCredential(ctx.db, row.user_id, row.partner);
      if (!again || again.status === 'disconnected') break;
      if (again.version !== row.version || again.epoch !== row.epoch) {
        const current = usable(again);
        return view(
          current,
          openCredentials(ctx.keyRing, { keyId: current.key_id, data: current.sealed }, identity(current)),
        );
      }
    }
    const counted = await withTransaction(ctx.db, async (trx) => {
      const result = await recordAuthFailure(
        trx,
        row.user_id,
        row.partner,
        failure,
        ctx.settings.reauthAfterFailures,
      );
      if (result?.becameNeedsReauth)
        await emit(trx, [
          createEvent(
            'connection.needs-reauth',
            {
              userId: row.user_id,
              partner: row.partner,
              reason: `auth_revoked: refresh refused ${result.failures} times in a row: ${e.message}`.slice(
                0,
                500,
              ),
            },
            { source: SOURCE, occurredAt: at },
          ),
        ]);
      return result;
    });
    if (counted?.becameNeedsReauth) {
      ctx.onEventsEnqueued();
      log.warn({ failures: counted.failures }, 'connection needs re-authorization');
    } else
      log.warn(
        { code: e.code, failures: counted?.failures, reason: e.message },
        'refresh refused by the partner',
      );
    throw problemForPartnerError(e);
  }
  await recordError(ctx.db, row.user_id, row.partner, failure);
  log.warn({ code: e.code, reason: e.message }, 'refresh failed');
  // A token refreshed early that is still valid keeps working while the partner is away.
  if (reason !== 'forced' && row.access_expires_at && row.access_expires_at.getTime() > at.getTime())
    return view(row, secrets);
  throw problemForPartnerError(e);
}
