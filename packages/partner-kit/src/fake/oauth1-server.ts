import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { encodeForm } from '../oauth/oauth1.js';
import { verifyOAuth1Request } from '../oauth/oauth1-signature.js';
import {
  autoDecision,
  type ConsentDecision,
  consentSubmitted,
  errorPage,
  sendConsentPage,
} from './consent.js';
import { fakeBodyParsers, params, rawBodyOf, requestUrl } from './http.js';
import { type FakeClock, systemFakeClock } from './types.js';
import { FakeUsers } from './users.js';

/**
 * A fake OAuth 1.0a provider (RFC 5849 §2: temporary credentials, resource owner
 * authorization, token credentials), verifying every signature with our own RFC verifier.
 * Token credentials never expire (legacy Withings); `authenticate(req)` checks signed API calls
 * whether the OAuth parameters travel in the header or in the query.
 */

export interface FakeOAuth1Options {
  partner: string;
  consumerKey: string;
  consumerSecret: string;
  clock?: FakeClock;
  users?: FakeUsers;
  requestTokenPath: string;
  authorizePath: string;
  accessTokenPath: string;
  /** Extra fields of the access-token response (legacy Withings `userid`). */
  accessTokenFields?: (userId: string) => Record<string, string>;
  /** Allowed clock skew of oauth_timestamp (default 300 s). */
  maxSkewSeconds?: number;
  /** Lifetime of temporary credentials (default 600 s). */
  requestTokenTtlSeconds?: number;
}

export type OAuth1AuthenticateResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'revoked' | 'bad_signature'; detail: string };

export interface FakeOAuth1Server {
  readonly router: Router;
  readonly users: FakeUsers;
  authenticate(req: Request): OAuth1AuthenticateResult;
  tokenEndpointCalls(): number;
  revokeUser(userId: string): void;
}

interface TempRecord {
  secret: string;
  callback: string;
  expiresAt: number;
  verifier?: string;
  userId?: string;
  used: boolean;
}

interface AccessRecord {
  secret: string;
  userId: string;
  revoked: boolean;
}

export function createFakeOAuth1Server(options: FakeOAuth1Options): FakeOAuth1Server {
  const clock = options.clock ?? systemFakeClock;
  const users = options.users ?? new FakeUsers();
  const temp = new Map<string, TempRecord>();
  const access = new Map<string, AccessRecord>();
  const nonces = new Set<string>();
  let tokenCalls = 0;
  const id = () => randomBytes(16).toString('hex');

  const verify = (req: Request, tokenSecret: (token: string | undefined) => string | undefined | null) =>
    verifyOAuth1Request(
      {
        method: req.method,
        url: requestUrl(req),
        authorization: req.get('authorization'),
        contentType: req.get('content-type'),
        body: rawBodyOf(req),
      },
      (consumerKey, token) => {
        if (consumerKey !== options.consumerKey) return undefined;
        const ts = tokenSecret(token);
        if (ts === null) return undefined;
        return { consumerSecret: options.consumerSecret, ...(ts !== undefined ? { tokenSecret: ts } : {}) };
      },
      {
        now: clock.now(),
        maxSkewSeconds: options.maxSkewSeconds ?? 300,
        nonceSeen: (key, nonce, ts) => {
          const k = `${key}:${nonce}:${ts}`;
          if (nonces.has(k)) return true;
          nonces.add(k);
          return false;
        },
      },
    );

  const unauthorized = (res: Response, reason: string) =>
    res
      .status(401)
      .type('text/plain')
      .send(`oauth_problem=${encodeURIComponent(reason)}`);

  const router = express.Router();
  for (const path of [options.requestTokenPath, options.authorizePath, options.accessTokenPath])
    router.use(path, ...fakeBodyParsers());

  router.all(options.requestTokenPath, (req, res) => {
    tokenCalls++;
    const result = verify(req, (token) => (token ? null : undefined));
    if (!result.ok) {
      unauthorized(res, result.reason);
      return;
    }
    const callback = result.oauth.oauth_callback;
    if (!callback) {
      unauthorized(res, 'parameter_absent: oauth_callback');
      return;
    }
    const token = id();
    const secret = id();
    temp.set(token, {
      secret,
      callback,
      expiresAt: clock.now().getTime() + (options.requestTokenTtlSeconds ?? 600) * 1000,
      used: false,
    });
    res
      .type('application/x-www-form-urlencoded')
      .send(encodeForm({ oauth_token: token, oauth_token_secret: secret, oauth_callback_confirmed: 'true' }));
  });

  const decide = (
    res: Response,
    token: string | undefined,
    decision: ConsentDecision,
    user: string | undefined,
  ) => {
    const rec = token ? temp.get(token) : undefined;
    if (!token || !rec || rec.used || rec.expiresAt <= clock.now().getTime()) {
      res.status(400).type('html').send(errorPage(options.partner, 'unknown or expired oauth_token'));
      return;
    }
    if (rec.callback === 'oob') {
      res
        .status(400)
        .type('html')
        .send(errorPage(options.partner, 'out-of-band callbacks are not supported by this fake'));
      return;
    }
    const target = new URL(rec.callback);
    if (decision === 'deny') {
      temp.delete(token);
      target.searchParams.set('denied', token);
    } else {
      rec.userId = users.create(user);
      rec.verifier = id();
      target.searchParams.set('oauth_token', token);
      target.searchParams.set('oauth_verifier', rec.verifier);
    }
    res.redirect(302, target.toString());
  };

  router.get(options.authorizePath, (req, res) => {
    const p = params(req);
    const auto = autoDecision(req);
    if (auto) {
      decide(res, p.oauth_token, auto.decision, auto.user);
      return;
    }
    if (!p.oauth_token || !temp.has(p.oauth_token)) {
      res.status(400).type('html').send(errorPage(options.partner, 'unknown or expired oauth_token'));
      return;
    }
    sendConsentPage(req, res, {
      partner: options.partner,
      hidden: { oauth_token: p.oauth_token },
      scopes: [],
      suggestedUser: users.suggest(),
    });
  });
  router.post(
    options.authorizePath,
    consentSubmitted(options.partner, (res, form, decision, user) =>
      decide(res, form.oauth_token, decision, user),
    ),
  );

  router.all(options.accessTokenPath, (req, res) => {
    tokenCalls++;
    const result = verify(req, (token) => (token ? (temp.get(token)?.secret ?? null) : null));
    if (!result.ok) {
      unauthorized(res, result.reason);
      return;
    }
    const token = result.token ?? '';
    const rec = temp.get(token);
    if (!rec || rec.used || !rec.userId || rec.expiresAt <= clock.now().getTime()) {
      unauthorized(res, 'token_rejected');
      return;
    }
    if (result.oauth.oauth_verifier !== rec.verifier) {
      unauthorized(res, 'verifier_invalid');
      return;
    }
    rec.used = true;
    temp.delete(token);
    const accessToken = id();
    const secret = id();
    access.set(accessToken, { secret, userId: rec.userId, revoked: false });
    res.type('application/x-www-form-urlencoded').send(
      encodeForm({
        oauth_token: accessToken,
        oauth_token_secret: secret,
        ...(options.accessTokenFields?.(rec.userId) ?? {}),
      }),
    );
  });

  return {
    router,
    users,
    authenticate(req) {
      const hasOAuth =
        Boolean(req.get('authorization')?.startsWith('OAuth ')) ||
        typeof req.query.oauth_signature === 'string';
      if (!hasOAuth) return { ok: false, reason: 'missing', detail: 'no OAuth parameters' };
      let revoked = false;
      const result = verify(req, (token) => {
        const rec = token ? access.get(token) : undefined;
        if (!rec) return null;
        if (rec.revoked) revoked = true;
        return rec.secret;
      });
      if (!result.ok)
        return {
          ok: false,
          reason: result.reason.startsWith('unknown') ? 'invalid' : 'bad_signature',
          detail: result.reason,
        };
      if (revoked) return { ok: false, reason: 'revoked', detail: 'token revoked' };
      const rec = access.get(result.token ?? '');
      return rec
        ? { ok: true, userId: rec.userId }
        : { ok: false, reason: 'invalid', detail: 'unknown token' };
    },
    tokenEndpointCalls: () => tokenCalls,
    revokeUser(userId) {
      for (const rec of access.values()) if (rec.userId === userId) rec.revoked = true;
    },
  };
}
