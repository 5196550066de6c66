import * as oidc from 'openid-client';
import { getOAuth2Generation, type ResolvedOAuth2Generation, type ResolvedPartner } from '../config.js';
import { PartnerError, parseRetryAfter, redactSecrets } from '../errors.js';

/**
 * OAuth 2.0 authorization code flow over openid-client v6 without discovery: the server
 * metadata is built from the (environment-resolved) declaration. Non-standard token endpoints
 * are adapted in a `customFetch` that rewrites the response into an RFC 6749 one, so the
 * library's validation stays in force. Every failure leaves as a classified PartnerError whose
 * message carries no token value.
 */

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt?: Date;
  readonly scope?: string;
  /** The partner's id for the user (Fitbit `user_id`, Withings `userid`), when the token response names it. */
  readonly externalUserId?: string;
}

export interface OAuth2CallOptions {
  /** The clock used for `expiresAt` (tests move it). */
  now?: () => Date;
  /** Replaces global fetch (the HTTP boundary). */
  fetch?: typeof fetch;
  /** Per-request timeout in seconds (default 15). */
  timeoutSeconds?: number;
}

export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
}

/** A fresh PKCE S256 pair (RFC 7636). */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, challenge: await oidc.calculatePKCECodeChallenge(verifier) };
}

/** A fresh unguessable `state`. */
export function randomState(): string {
  return oidc.randomState();
}

interface Captured {
  status?: number;
  retryAfter?: string | null;
}

type Mode = { op: 'token'; redirectUri?: string } | { op: 'revoke' };

function insecure(gen: ResolvedOAuth2Generation): boolean {
  return [gen.authorizeUrl, gen.tokenUrl, gen.revokeUrl].some((u) => u?.startsWith('http://'));
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Error bodies that are not RFC 6749 but say the same thing: `{errors: [{errorType, message}]}`
 * (Fitbit), `{message, errors: [{code}]}` (Strava). Rewritten to `{error, error_description}`.
 */
function standardErrorBody(body: unknown): { error: string; error_description?: string } | null {
  if (!isRecord(body)) return null;
  if (typeof body.error === 'string') return null;
  const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
  if (isRecord(first)) {
    const code = first.errorType ?? first.code ?? first.error;
    if (typeof code === 'string') {
      const description = typeof first.message === 'string' ? first.message : undefined;
      return { error: code, ...(description ? { error_description: description } : {}) };
    }
  }
  return null;
}

function configFor(
  resolved: ResolvedPartner,
  gen: ResolvedOAuth2Generation,
  mode: Mode,
  captured: Captured,
  options: OAuth2CallOptions,
): oidc.Configuration {
  const server: oidc.ServerMetadata = {
    issuer: new URL(gen.tokenUrl).origin,
    authorization_endpoint: gen.authorizeUrl,
    token_endpoint: gen.tokenUrl,
    ...(gen.revokeUrl ? { revocation_endpoint: gen.revokeUrl } : {}),
  };
  const auth =
    gen.clientAuth === 'basic'
      ? oidc.ClientSecretBasic(gen.clientSecret)
      : oidc.ClientSecretPost(gen.clientSecret);
  const config = new oidc.Configuration(server, gen.clientId, { client_secret: gen.clientSecret }, auth);
  if (insecure(gen)) oidc.allowInsecureRequests(config);
  config.timeout = options.timeoutSeconds ?? 15;
  const doFetch = options.fetch ?? fetch;
  config[oidc.customFetch] = async (url, init) => {
    const body = init.body;
    if (body instanceof URLSearchParams) {
      if (mode.op === 'token' && mode.redirectUri && body.get('grant_type') === 'authorization_code')
        body.set('redirect_uri', mode.redirectUri);
      if (mode.op === 'revoke' && gen.revokeTokenParam && gen.revokeTokenParam !== 'token') {
        const token = body.get('token');
        body.delete('token');
        body.delete('token_type_hint');
        if (token !== null) body.set(gen.revokeTokenParam, token);
      }
    }
    let res: Response;
    try {
      res = await doFetch(url, init as RequestInit);
    } catch (e) {
      const what =
        e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
          ? 'timed out'
          : 'unreachable';
      throw new PartnerError('transient', `${resolved.id} ${mode.op} endpoint ${what}`, {
        partner: resolved.id,
      });
    }
    captured.status = res.status;
    captured.retryAfter = res.headers.get('retry-after');
    if (mode.op === 'revoke') {
      // RFC 7009 says 200; many servers answer 204. Both mean done.
      return res.status === 204 ? new Response('', { status: 200 }) : res;
    }
    if (res.status === 200 && gen.adaptTokenResponse) {
      const adapted = gen.adaptTokenResponse(await readJson(res));
      const isError = isRecord(adapted) && typeof adapted.error === 'string';
      return Response.json(adapted, { status: isError ? 400 : 200 });
    }
    if (res.status >= 400 && res.status < 500 && res.headers.get('content-type')?.includes('json')) {
      const raw = await readJson(res.clone());
      const rewritten = gen.adaptErrorResponse?.(raw, res.status) ?? standardErrorBody(raw);
      if (rewritten) return Response.json(rewritten, { status: res.status });
    }
    return res;
  };
  return config;
}

function findPartnerError(e: unknown): PartnerError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur; i++) {
    if (cur instanceof PartnerError) return cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return undefined;
}

const REVOKED_ERRORS = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'access_denied',
  'invalid_token',
]);

/** Turn anything openid-client (or our adapters) threw into a PartnerError. */
export function classifyOAuthError(
  e: unknown,
  context: {
    partner: string;
    op: string;
    status?: number | undefined;
    retryAfter?: string | null | undefined;
    secrets?: readonly (string | undefined)[];
    now?: Date;
  },
): PartnerError {
  const inner = findPartnerError(e);
  if (inner) return inner;
  const partner = context.partner;
  const status = context.status;
  const now = context.now ?? new Date();
  const details = { partner, ...(status !== undefined ? { status } : {}) };
  const clean = (s: string | undefined) => (s ? redactSecrets(s, context.secrets ?? []) : '');

  if (e instanceof oidc.AuthorizationResponseError) {
    const code = e.error === 'access_denied' ? 'auth_revoked' : 'invalid_data';
    return new PartnerError(
      code,
      `${partner} authorization failed: ${clean(e.error)} ${clean(e.error_description)}`.trim(),
      { partner },
    );
  }
  if (status === 429) {
    const retryAt = parseRetryAfter(context.retryAfter, now) ?? new Date(now.getTime() + 60_000);
    return new PartnerError('rate_limited', `${partner} ${context.op}: rate limited`, {
      ...details,
      retryAt,
    });
  }
  if (status !== undefined && status >= 500) {
    const retryAt = parseRetryAfter(context.retryAfter, now);
    return new PartnerError('transient', `${partner} ${context.op}: HTTP ${status}`, {
      ...details,
      ...(retryAt ? { retryAt } : {}),
    });
  }
  if (e instanceof oidc.ResponseBodyError) {
    const code = REVOKED_ERRORS.has(e.error)
      ? 'auth_revoked'
      : e.error === 'temporarily_unavailable' || e.error === 'server_error'
        ? 'transient'
        : e.error === 'slow_down'
          ? 'rate_limited'
          : 'invalid_data';
    const description = clean(e.error_description);
    return new PartnerError(
      code,
      `${partner} ${context.op}: ${clean(e.error)}${description ? ` (${description})` : ''}`,
      {
        ...details,
        status: e.status,
        ...(code === 'rate_limited' ? { retryAt: new Date(now.getTime() + 60_000) } : {}),
      },
    );
  }
  if (e instanceof oidc.WWWAuthenticateChallengeError || status === 401)
    return new PartnerError(
      'auth_revoked',
      `${partner} ${context.op}: client or grant rejected (HTTP 401)`,
      details,
    );
  if (e instanceof oidc.ClientError) {
    if (e.code === 'OAUTH_TIMEOUT' || e.code === 'OAUTH_ABORT')
      return new PartnerError('transient', `${partner} ${context.op}: timed out`, details);
    return new PartnerError(
      'invalid_data',
      `${partner} ${context.op}: ${clean(e.message)}${status ? ` (HTTP ${status})` : ''}`,
      details,
    );
  }
  if (e instanceof TypeError && status === undefined)
    return new PartnerError('transient', `${partner} ${context.op}: ${clean(e.message)}`, details);
  const message = e instanceof Error ? clean(e.message) : 'unknown failure';
  return new PartnerError(
    status !== undefined && status >= 400 ? 'invalid_data' : 'transient',
    `${partner} ${context.op}: ${message}`,
    details,
  );
}

function toTokenSet(
  gen: ResolvedOAuth2Generation,
  res: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  now: Date,
  previousRefreshToken?: string,
): TokenSet {
  const raw: Record<string, unknown> = { ...res };
  const expiresIn = res.expiresIn();
  let externalUserId = gen.externalUserId?.(raw);
  if (externalUserId === undefined) {
    const id = raw.user_id ?? raw.userid;
    if (typeof id === 'string' || typeof id === 'number') externalUserId = String(id);
  }
  const refreshToken = res.refresh_token ?? previousRefreshToken;
  return {
    accessToken: res.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresIn !== undefined ? { expiresAt: new Date(now.getTime() + expiresIn * 1000) } : {}),
    ...(typeof res.scope === 'string' ? { scope: res.scope } : {}),
    ...(externalUserId !== undefined ? { externalUserId } : {}),
  };
}

export interface AuthorizeUrlParams {
  redirectUri: string;
  state: string;
  /** Required when the generation declares `pkce` (S256). */
  codeChallenge?: string;
  /** Narrower or wider scopes than the declaration's. */
  scopes?: readonly string[];
}

/** The partner's consent page for a new connection. */
export function oauth2AuthorizeUrl(
  resolved: ResolvedPartner,
  generation: string,
  params: AuthorizeUrlParams,
): URL {
  const gen = getOAuth2Generation(resolved, generation);
  if (gen.pkce && !params.codeChallenge)
    throw new TypeError(`${resolved.id} requires PKCE: pass a codeChallenge`);
  const config = configFor(resolved, gen, { op: 'token' }, {}, {});
  const scopes = params.scopes ?? gen.scopes;
  const query: Record<string, string> = {
    ...(gen.authorizeParams ?? {}),
    redirect_uri: params.redirectUri,
    state: params.state,
    ...(scopes.length > 0 ? { scope: scopes.join(gen.scopeSeparator) } : {}),
    ...(params.codeChallenge ? { code_challenge: params.codeChallenge, code_challenge_method: 'S256' } : {}),
  };
  return oidc.buildAuthorizationUrl(config, query);
}

export interface ExchangeCodeParams {
  /** The full callback URL the partner redirected to (with `code` and `state`, or `error`). */
  callbackUrl: URL;
  expectedState: string;
  codeVerifier?: string;
  /** Exactly the redirect URI sent to the authorize endpoint. */
  redirectUri: string;
}

/** Exchange the authorization code from a callback for tokens. */
export async function oauth2ExchangeCode(
  resolved: ResolvedPartner,
  generation: string,
  params: ExchangeCodeParams,
  options: OAuth2CallOptions = {},
): Promise<TokenSet> {
  const gen = getOAuth2Generation(resolved, generation);
  const captured: Captured = {};
  const config = configFor(
    resolved,
    gen,
    { op: 'token', redirectUri: params.redirectUri },
    captured,
    options,
  );
  // openid-client takes the redirect_uri from the callback URL without its query; rebuild the
  // callback on the exact redirect URI (customFetch then sets it verbatim).
  const current = new URL(params.redirectUri);
  current.search = params.callbackUrl.search;
  const secrets = [
    params.callbackUrl.searchParams.get('code') ?? undefined,
    params.codeVerifier,
    gen.clientSecret,
  ];
  try {
    const res = await oidc.authorizationCodeGrant(
      config,
      current,
      {
        expectedState: params.expectedState,
        ...(params.codeVerifier ? { pkceCodeVerifier: params.codeVerifier } : {}),
      },
      gen.tokenParams ? { ...gen.tokenParams } : undefined,
    );
    return toTokenSet(gen, res, (options.now ?? (() => new Date()))());
  } catch (e) {
    throw classifyOAuthError(e, { partner: resolved.id, op: 'code exchange', ...captured, secrets });
  }
}

/** Trade a refresh token for a new token set (the refresh token may rotate: store the new one). */
export async function oauth2Refresh(
  resolved: ResolvedPartner,
  generation: string,
  refreshToken: string,
  options: OAuth2CallOptions = {},
): Promise<TokenSet> {
  const gen = getOAuth2Generation(resolved, generation);
  if (gen.refresh === 'none')
    throw new PartnerError(
      'auth_revoked',
      `${resolved.id} tokens cannot be refreshed; the user must reconnect`,
      {
        partner: resolved.id,
      },
    );
  const captured: Captured = {};
  const config = configFor(resolved, gen, { op: 'token' }, captured, options);
  try {
    const res = await oidc.refreshTokenGrant(
      config,
      refreshToken,
      gen.tokenParams ? { ...gen.tokenParams } : undefined,
    );
    return toTokenSet(gen, res, (options.now ?? (() => new Date()))(), refreshToken);
  } catch (e) {
    throw classifyOAuthError(e, {
      partner: resolved.id,
      op: 'refresh',
      ...captured,
      secrets: [refreshToken, gen.clientSecret],
    });
  }
}

/**
 * Revoke a token at the partner (RFC 7009). Returns false when the partner has no revocation
 * endpoint (the caller still deletes its copy).
 */
export async function oauth2Revoke(
  resolved: ResolvedPartner,
  generation: string,
  token: string,
  options: OAuth2CallOptions = {},
): Promise<boolean> {
  const gen = getOAuth2Generation(resolved, generation);
  if (!gen.revokeUrl) return false;
  const captured: Captured = {};
  const config = configFor(resolved, gen, { op: 'revoke' }, captured, options);
  try {
    await oidc.tokenRevocation(config, token);
    return true;
  } catch (e) {
    throw classifyOAuthError(e, {
      partner: resolved.id,
      op: 'revoke',
      ...captured,
      secrets: [token, gen.clientSecret],
    });
  }
}
