import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import {
  autoDecision,
  type ConsentDecision,
  consentSubmitted,
  errorPage,
  sendConsentPage,
} from './consent.js';
import { fakeBodyParsers, params } from './http.js';
import {
  type AuthenticateResult,
  bearerToken,
  type FakeRefreshMode,
  FakeTokenRegistry,
  type IssuedTokens,
} from './tokens.js';
import { type FakeClock, systemFakeClock } from './types.js';
import { FakeUsers } from './users.js';

/**
 * A fake OAuth 2.0 authorization server (RFC 6749 code flow, RFC 7636 PKCE, RFC 7009
 * revocation) with the knobs real partners differ on. Mount `router` on the partner fake's app;
 * API routes authenticate with `authenticate(req)`.
 */

export interface FakeOAuth2Options {
  partner: string;
  clientId: string;
  clientSecret: string;
  /** Exact registered redirect URIs; empty or undefined: any http://127.0.0.1 / localhost URI. */
  redirectUris?: readonly string[];
  clock?: FakeClock;
  users?: FakeUsers;
  authorizePath: string;
  tokenPath: string;
  revokePath?: string;
  /** `basic`: HTTP Basic only; `body`: client_id + client_secret parameters only; `either`. */
  clientAuth?: 'basic' | 'body' | 'either';
  /** `required`: authorize without S256 challenge is refused; `optional`: checked when sent. */
  pkce?: 'required' | 'optional' | 'none';
  codeTtlSeconds?: number;
  /** null: access tokens never expire. */
  accessTokenTtlSeconds?: number | null;
  refresh?: FakeRefreshMode;
  graceSeconds?: number;
  scopeSeparator?: ' ' | ',';
  defaultScopes?: readonly string[];
  /** Parameters every token request must carry (Withings `action=requesttoken`). */
  requiredTokenParams?: Readonly<Record<string, string>>;
  /** Extra fields of a successful token response (Fitbit `user_id`, Withings `userid`, Strava `athlete`). */
  tokenFields?: (userId: string, tokens: IssuedTokens) => Record<string, unknown>;
  /** Wrap a token response (Withings `{status: 0, body}` with HTTP 200). */
  tokenResponse?: (body: Record<string, unknown>) => { status: number; body: unknown };
  /** Render an OAuth error (Fitbit `{errors: [...]}`, Withings `{status: 503, error}`). */
  errorResponse?: (error: string, description: string, status: number) => { status: number; body: unknown };
  /** Extra parameters on the redirect back (Strava `scope`). */
  callbackParams?: (request: { scopes: readonly string[] }) => Record<string, string>;
  /** The name of the revocation form's token parameter (RFC 7009 `token`). */
  revokeTokenParam?: string;
  /** Accept `access_token` as a query/form parameter on API calls. */
  allowQueryToken?: boolean;
}

interface CodeRecord {
  userId: string;
  clientId: string;
  redirectUri: string | undefined;
  scope: string;
  challenge: string | undefined;
  expiresAt: number;
  used: boolean;
}

export interface FakeOAuth2Server {
  readonly router: Router;
  readonly tokens: FakeTokenRegistry;
  readonly users: FakeUsers;
  /** Authenticate an API call's Bearer token; returns the partner user or why not. */
  authenticate(req: Request): AuthenticateResult;
  /** Requests that reached the token endpoint. */
  tokenEndpointCalls(): number;
  revokeUser(userId: string): void;
  expireAccessTokens(userId: string): void;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function isLoopbackUri(uri: string): boolean {
  try {
    const u = new URL(uri);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)
    );
  } catch {
    return false;
  }
}

export function createFakeOAuth2Server(options: FakeOAuth2Options): FakeOAuth2Server {
  const clock = options.clock ?? systemFakeClock;
  const users = options.users ?? new FakeUsers();
  const tokens = new FakeTokenRegistry({
    clock,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds === undefined ? 3600 : options.accessTokenTtlSeconds,
    refresh: options.refresh ?? 'rotating',
    ...(options.graceSeconds !== undefined ? { graceSeconds: options.graceSeconds } : {}),
    prefix: options.partner,
  });
  const codes = new Map<string, CodeRecord>();
  const sep = options.scopeSeparator ?? ' ';
  const pkce = options.pkce ?? 'none';
  const clientAuth = options.clientAuth ?? 'either';
  let tokenCalls = 0;

  const redirectAllowed = (uri: string) =>
    options.redirectUris && options.redirectUris.length > 0
      ? options.redirectUris.includes(uri)
      : isLoopbackUri(uri);

  const sendError = (res: Response, error: string, description: string, status = 400) => {
    const rendered = options.errorResponse?.(error, description, status) ?? {
      status,
      body: { error, error_description: description },
    };
    if (status === 401 && !options.errorResponse) res.set('www-authenticate', 'Basic realm="token"');
    res.status(rendered.status).json(rendered.body);
  };

  /** Validate an authorization request; an error page when the redirect cannot be trusted. */
  const checkAuthorize = (
    p: Record<string, string>,
  ): { ok: true; redirectUri: string; scopes: string[] } | { ok: false; status: number; message: string } => {
    if (p.client_id !== options.clientId)
      return { ok: false, status: 400, message: 'invalid_client: unknown client_id' };
    const redirectUri =
      p.redirect_uri ?? (options.redirectUris?.length === 1 ? options.redirectUris[0] : undefined);
    if (!redirectUri || !redirectAllowed(redirectUri))
      return {
        ok: false,
        status: 400,
        message: 'invalid_request: redirect_uri is missing or not registered',
      };
    if (p.response_type !== 'code') return { ok: false, status: 400, message: 'unsupported_response_type' };
    if (pkce !== 'none') {
      const challenge = p.code_challenge;
      if (pkce === 'required' && !challenge)
        return { ok: false, status: 400, message: 'invalid_request: code_challenge required' };
      if (challenge && !/^[A-Za-z0-9_-]{43,128}$/.test(challenge))
        return {
          ok: false,
          status: 400,
          message: 'invalid_request: The code_challenge parameter length must be between 43 and 128',
        };
      if (challenge && p.code_challenge_method !== 'S256')
        return { ok: false, status: 400, message: 'invalid_request: Unsupported code_challenge_method' };
    }
    const scopes = p.scope
      ? p.scope
          .split(sep)
          .map((s) => s.trim())
          .filter(Boolean)
      : [...(options.defaultScopes ?? [])];
    return { ok: true, redirectUri, scopes };
  };

  const decide = (
    res: Response,
    p: Record<string, string>,
    decision: ConsentDecision,
    user: string | undefined,
  ) => {
    const checked = checkAuthorize(p);
    if (!checked.ok) {
      res.status(checked.status).type('html').send(errorPage(options.partner, checked.message));
      return;
    }
    const target = new URL(checked.redirectUri);
    if (decision === 'deny') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user denied the request');
    } else {
      const userId = users.create(user);
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        userId,
        clientId: options.clientId,
        redirectUri: p.redirect_uri,
        scope: checked.scopes.join(sep),
        challenge: pkce !== 'none' ? p.code_challenge : undefined,
        expiresAt: clock.now().getTime() + (options.codeTtlSeconds ?? 600) * 1000,
        used: false,
      });
      target.searchParams.set('code', code);
      for (const [k, v] of Object.entries(options.callbackParams?.({ scopes: checked.scopes }) ?? {}))
        target.searchParams.set(k, v);
    }
    if (p.state !== undefined) target.searchParams.set('state', p.state);
    res.redirect(302, target.toString());
  };

  const router = express.Router();
  router.use(options.authorizePath, ...fakeBodyParsers());
  router.get(options.authorizePath, (req, res) => {
    const p = params(req);
    const checked = checkAuthorize(p);
    if (!checked.ok) {
      res.status(checked.status).type('html').send(errorPage(options.partner, checked.message));
      return;
    }
    const auto = autoDecision(req);
    if (auto) {
      decide(res, p, auto.decision, auto.user);
      return;
    }
    sendConsentPage(req, res, {
      partner: options.partner,
      hidden: p,
      scopes: checked.scopes,
      suggestedUser: users.suggest(),
    });
  });
  router.post(options.authorizePath, consentSubmitted(options.partner, decide));

  /** Client authentication per RFC 6749 §2.3.1 (Basic credentials are form-url-encoded first). */
  const authenticateClient = (req: Request, p: Record<string, string>): boolean => {
    const header = req.get('authorization');
    const basic = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
    if (basic?.[1]) {
      if (clientAuth === 'body') return false;
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return false;
      return (
        safeEqual(formDecode(decoded.slice(0, colon)), options.clientId) &&
        safeEqual(formDecode(decoded.slice(colon + 1)), options.clientSecret)
      );
    }
    if (clientAuth === 'basic') return false;
    return (
      p.client_id === options.clientId &&
      p.client_secret !== undefined &&
      safeEqual(p.client_secret, options.clientSecret)
    );
  };

  const sendTokens = (res: Response, userId: string, issued: IssuedTokens) => {
    const body: Record<string, unknown> = {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      ...(issued.expiresIn !== undefined ? { expires_in: issued.expiresIn } : {}),
      ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
      scope: issued.scope,
      ...(options.tokenFields?.(userId, issued) ?? {}),
    };
    const wrapped = options.tokenResponse?.(body) ?? { status: 200, body };
    res.set('cache-control', 'no-store').status(wrapped.status).json(wrapped.body);
  };

  router.use(options.tokenPath, ...fakeBodyParsers());
  router.all(options.tokenPath, (req, res) => {
    tokenCalls++;
    if (req.method !== 'POST') {
      sendError(res, 'invalid_request', 'use POST');
      return;
    }
    const p = params(req);
    for (const [k, v] of Object.entries(options.requiredTokenParams ?? {})) {
      if (p[k] !== v) {
        sendError(res, 'invalid_request', `${k} must be ${v}`);
        return;
      }
    }
    if (!authenticateClient(req, p)) {
      sendError(res, 'invalid_client', 'client authentication failed', 401);
      return;
    }
    if (p.grant_type === 'authorization_code') {
      const rec = p.code ? codes.get(p.code) : undefined;
      if (!rec || rec.used || rec.expiresAt <= clock.now().getTime()) {
        if (rec) rec.used = true;
        sendError(res, 'invalid_grant', 'invalid code');
        return;
      }
      rec.used = true;
      if (rec.redirectUri !== undefined && p.redirect_uri !== rec.redirectUri) {
        sendError(res, 'invalid_grant', 'redirect_uri does not match the authorization request');
        return;
      }
      if (rec.challenge) {
        const verifier = p.code_verifier ?? '';
        const computed = createHash('sha256').update(verifier).digest('base64url');
        if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !safeEqual(computed, rec.challenge)) {
          sendError(res, 'invalid_grant', 'code_verifier does not match the code_challenge');
          return;
        }
      }
      sendTokens(res, rec.userId, tokens.issue(rec.userId, rec.scope));
      return;
    }
    if (p.grant_type === 'refresh_token') {
      if (tokens.refreshMode === 'none') {
        sendError(res, 'unsupported_grant_type', 'refresh tokens are not supported');
        return;
      }
      const result = tokens.refresh(p.refresh_token ?? '');
      if (!result.ok) {
        sendError(res, 'invalid_grant', `refresh token ${result.reason}`);
        return;
      }
      sendTokens(res, result.userId, result.tokens);
      return;
    }
    sendError(res, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  });

  if (options.revokePath) {
    router.use(options.revokePath, ...fakeBodyParsers());
    router.post(options.revokePath, (req, res) => {
      const p = params(req);
      const bearer = bearerToken(req);
      const token =
        p[options.revokeTokenParam ?? 'token'] ??
        (bearer && tokens.authenticate(bearer).ok ? bearer : undefined);
      // With a Bearer token (RunKeeper de-authorize) the token authenticates itself.
      if (!bearer && !authenticateClient(req, p)) {
        sendError(res, 'invalid_client', 'client authentication failed', 401);
        return;
      }
      if (!token) {
        sendError(res, 'invalid_request', 'token is required');
        return;
      }
      tokens.revokeToken(token);
      // RFC 7009 §2.2: 200 whether or not the token was known.
      res.status(200).json({});
    });
  }

  return {
    router,
    tokens,
    users,
    authenticate: (req) =>
      tokens.authenticate(bearerToken(req, { allowQuery: options.allowQueryToken ?? false })),
    tokenEndpointCalls: () => tokenCalls,
    revokeUser: (userId) => tokens.revokeUser(userId),
    expireAccessTokens: (userId) => tokens.expireAccessTokens(userId),
  };
}
