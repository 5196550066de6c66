import { timingSafeEqual } from 'node:crypto';
import type { DataTypes } from '@healthsync/contracts';
import {
  createPkcePair,
  isPartnerError,
  oauth1AccessToken,
  oauth1AuthorizeUrl,
  oauth1RequestToken,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2FetchExternalUserId,
  randomState,
} from '@healthsync/partner-kit';
import { createEvent, HttpProblem, withTransaction } from '@healthsync/platform';
import { type AuthContext, emit, redirectUriFor, SOURCE } from '../context.js';
import {
  type CredentialSecrets,
  credentialsAad,
  openPending,
  type PendingSecrets,
  pendingAad,
  sealJson,
  sha256,
} from '../crypto/secrets.js';
import type { InstalledPartner } from '../partners.js';
import { lockConnection, upsertConnected } from '../repositories/connections.repository.js';
import { putCredential } from '../repositories/credentials.repository.js';
import {
  consumePending,
  insertPending,
  type PendingRow,
} from '../repositories/pending-authorizations.repository.js';
import { partnerProblem } from './problems.js';

export interface StartAuthorization {
  userId: string;
  partner: InstalledPartner;
  /** Already checked against the allow-list. */
  returnUrl: URL;
  dataTypes: DataTypes;
  /** Auth generation; the partner's current one by default. */
  generation?: string;
}

export interface StartedAuthorization {
  authorizeUrl: string;
  expiresAt: Date;
}

/**
 * Begin connecting a partner: a random single-use `state` (stored as its hash), the PKCE
 * verifier or OAuth 1.0a request-token secret sealed server-side, a 10-minute expiry, and the
 * partner's consent URL for the browser.
 */
export async function startAuthorization(
  ctx: AuthContext,
  input: StartAuthorization,
): Promise<StartedAuthorization> {
  const { partner } = input;
  const generationName = input.generation ?? partner.resolved.current;
  const generation = partner.resolved.generations[generationName];
  if (!generation)
    throw new HttpProblem(
      400,
      'unknown_generation',
      'Unknown auth generation',
      `${partner.id} has no auth generation ${generationName}`,
    );
  const state = randomState();
  const stateHash = sha256(state);
  const redirectUri = redirectUriFor(ctx, partner.id);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.settings.pendingTtlMs);
  const secrets: PendingSecrets = {};
  let authorizeUrl: URL;
  let requestTokenHash: Buffer | null = null;
  if (generation.kind === 'oauth2') {
    const pkce = generation.pkce ? await createPkcePair() : undefined;
    if (pkce) secrets.codeVerifier = pkce.verifier;
    authorizeUrl = oauth2AuthorizeUrl(partner.resolved, generationName, {
      redirectUri,
      state,
      ...(pkce ? { codeChallenge: pkce.challenge } : {}),
    });
  } else {
    // OAuth 1.0a has no `state`: it travels in our callback URL, and the request token returned
    // on the callback must be the one issued for it.
    const callback = new URL(redirectUri);
    callback.searchParams.set('state', state);
    try {
      const requestToken = await oauth1RequestToken(
        partner.resolved,
        generationName,
        { callbackUrl: callback.toString() },
        { ...(ctx.fetch ? { fetch: ctx.fetch } : {}), timeoutSeconds: ctx.settings.partnerTimeoutSeconds },
      );
      secrets.requestTokenSecret = requestToken.tokenSecret;
      requestTokenHash = sha256(requestToken.token);
      authorizeUrl = oauth1AuthorizeUrl(partner.resolved, generationName, requestToken.token);
    } catch (e) {
      throw partnerProblem(e, ctx.logger, { partner: partner.id, op: 'request token' });
    }
  }
  const sealed =
    Object.keys(secrets).length > 0 ? sealJson(ctx.keyRing, secrets, pendingAad(stateHash)) : undefined;
  await insertPending(ctx.db, {
    stateHash,
    userId: input.userId,
    partner: partner.id,
    authGeneration: generationName,
    kind: generation.kind,
    redirectUri,
    returnUrl: input.returnUrl.toString(),
    dataTypes: input.dataTypes,
    requestTokenHash,
    keyId: sealed?.keyId ?? null,
    sealed: sealed?.data ?? null,
    createdAt: now,
    expiresAt,
  });
  return { authorizeUrl: authorizeUrl.toString(), expiresAt };
}

export type CallbackOutcome = 'connected' | 'denied' | 'error';

export interface CompletedAuthorization {
  /** Where the browser goes now: the return URL with `status`. */
  readonly redirect: URL;
  readonly outcome: CallbackOutcome;
}

function back(pending: PendingRow, outcome: CallbackOutcome): CompletedAuthorization {
  const url = new URL(pending.return_url);
  url.searchParams.set('status', outcome);
  return { redirect: url, outcome };
}

function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

interface ObtainedGrant {
  secrets: CredentialSecrets;
  externalUserId: string | null;
  accessExpiresAt: Date | null;
  refreshable: boolean;
}

/**
 * The partner redirected the browser back. The pending authorization of `state` is consumed
 * first (single use, atomically), whatever happens next; only a valid, unexpired one leads to a
 * code exchange, and credentials are stored only when the exchange succeeds.
 */
export async function completeAuthorization(
  ctx: AuthContext,
  partner: InstalledPartner,
  query: Readonly<Record<string, string | undefined>>,
  callbackUrl: URL,
): Promise<CompletedAuthorization> {
  const state = query.state;
  if (!state || state.length > 512)
    throw new HttpProblem(400, 'invalid_state', 'Invalid state', 'The callback carries no usable state');
  const stateHash = sha256(state);
  const pending = await consumePending(ctx.db, stateHash, partner.id);
  if (!pending)
    throw new HttpProblem(
      400,
      'invalid_state',
      'Invalid state',
      'Unknown or already used state; start the connection again',
    );
  const log = ctx.logger.child({ partner: partner.id, userId: pending.user_id });
  if (pending.expires_at.getTime() <= ctx.clock.now().getTime()) {
    log.info('authorization callback after the state expired');
    return back(pending, 'error');
  }
  const secrets: PendingSecrets =
    pending.key_id && pending.sealed
      ? openPending(ctx.keyRing, { keyId: pending.key_id, data: pending.sealed }, stateHash)
      : {};
  const options = {
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    timeoutSeconds: ctx.settings.partnerTimeoutSeconds,
  };
  const now = () => ctx.clock.now();

  let grant: ObtainedGrant;
  try {
    if (pending.kind === 'oauth2') {
      if (query.error) {
        log.info({ error: query.error.slice(0, 64) }, 'partner returned an authorization error');
        return back(pending, query.error === 'access_denied' ? 'denied' : 'error');
      }
      if (!query.code) return back(pending, 'error');
      const gen = partner.resolved.generations[pending.auth_generation];
      const tokens = await oauth2ExchangeCode(
        partner.resolved,
        pending.auth_generation,
        {
          callbackUrl,
          expectedState: state,
          redirectUri: pending.redirect_uri,
          ...(secrets.codeVerifier ? { codeVerifier: secrets.codeVerifier } : {}),
        },
        { ...options, now },
      );
      // Partners whose token response names no account (RunKeeper) declare where to ask.
      const externalUserId =
        tokens.externalUserId ??
        (await oauth2FetchExternalUserId(partner.resolved, pending.auth_generation, tokens.accessToken, {
          ...options,
          now,
        }));
      grant = {
        secrets: {
          kind: 'oauth2',
          accessToken: tokens.accessToken,
          ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        },
        externalUserId: externalUserId ?? null,
        accessExpiresAt: tokens.expiresAt ?? null,
        refreshable: Boolean(tokens.refreshToken) && gen?.kind === 'oauth2' && gen.refresh !== 'none',
      };
    } else {
      if (query.denied !== undefined) return back(pending, 'denied');
      const token = query.oauth_token;
      const verifier = query.oauth_verifier;
      if (
        !token ||
        !verifier ||
        !pending.request_token_hash ||
        !sameHash(sha256(token), pending.request_token_hash)
      ) {
        log.warn('OAuth 1.0a callback with a request token that was not issued for this state');
        return back(pending, 'error');
      }
      if (!secrets.requestTokenSecret) return back(pending, 'error');
      const access = await oauth1AccessToken(
        partner.resolved,
        pending.auth_generation,
        { token, tokenSecret: secrets.requestTokenSecret, verifier },
        options,
      );
      grant = {
        secrets: { kind: 'oauth1', token: access.token, tokenSecret: access.tokenSecret },
        externalUserId: access.externalUserId ?? null,
        accessExpiresAt: null,
        refreshable: false,
      };
    }
  } catch (e) {
    if (!isPartnerError(e)) throw e;
    log.warn(
      { code: e.code, status: e.details.status, reason: e.message },
      'authorization failed at the partner',
    );
    return back(pending, 'error');
  }

  await storeConnection(ctx, partner, pending, grant);
  log.info({ generation: pending.auth_generation }, 'partner connected');
  return back(pending, 'connected');
}

/**
 * Store the new connection epoch and its sealed credentials, and emit `connection.connected` with
 * `reconnect` / `accountChanged` computed from the previous connection, in one transaction.
 */
async function storeConnection(
  ctx: AuthContext,
  partner: InstalledPartner,
  pending: PendingRow,
  grant: ObtainedGrant,
): Promise<void> {
  const at = ctx.clock.now();
  await withTransaction(ctx.db, async (trx) => {
    const previous = await lockConnection(trx, pending.user_id, partner.id);
    const row = await upsertConnected(trx, {
      userId: pending.user_id,
      partner: partner.id,
      authGeneration: pending.auth_generation,
      externalUserId: grant.externalUserId,
      dataTypes: pending.data_types,
      at,
    });
    const sealed = sealJson(
      ctx.keyRing,
      grant.secrets,
      credentialsAad({
        userId: row.user_id,
        partner: row.partner,
        authGeneration: row.auth_generation,
        epoch: row.epoch,
      }),
    );
    await putCredential(trx, {
      userId: row.user_id,
      partner: row.partner,
      authGeneration: row.auth_generation,
      epoch: row.epoch,
      keyId: sealed.keyId,
      sealed: sealed.data,
      accessExpiresAt: grant.accessExpiresAt,
      refreshable: grant.refreshable,
      refreshedAt: at,
    });
    const before = previous?.external_user_id ?? null;
    await emit(trx, [
      createEvent(
        'connection.connected',
        {
          userId: row.user_id,
          partner: row.partner,
          // A partner whose token response names no account (RunKeeper) is recorded as unknown.
          externalUserId: grant.externalUserId ?? 'unknown',
          generation: row.auth_generation,
          dataTypes: row.data_types,
          reconnect: previous !== undefined,
          accountChanged: before !== null && grant.externalUserId !== null && before !== grant.externalUserId,
        },
        { source: SOURCE, occurredAt: at },
      ),
    ]);
  });
  ctx.onEventsEnqueued();
}
