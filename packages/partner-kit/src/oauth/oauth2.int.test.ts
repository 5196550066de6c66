import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDevPartnerEnv, type ResolvedPartner, resolvePartnerConfig } from '../config.js';
import type { OAuth2Generation } from '../define-partner.js';
import { PartnerError } from '../errors.js';
import { submitConsent } from '../fake/consent.js';
import { type Listening, listen } from '../fake/http.js';
import {
  createFakeOAuth2Server,
  type FakeOAuth2Options,
  type FakeOAuth2Server,
} from '../fake/oauth2-server.js';
import { testPartner } from '../testing/test-partner.js';
import {
  createPkcePair,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2Refresh,
  oauth2Revoke,
  randomState,
} from './oauth2.js';

const REDIRECT = 'http://127.0.0.1:1/v1/oauth/acme/callback';

function declaration(id: string, gen: Partial<OAuth2Generation> = {}, revoke = true) {
  return testPartner(id, {
    oauth2: {
      ...(revoke ? { revokeUrl: `https://api.${id}.example/oauth2/revoke` } : {}),
      scopes: ['weight', 'activity'],
      pkce: true,
      clientAuth: 'basic',
      ...gen,
    },
  });
}

interface Setup {
  server: Listening;
  fake: FakeOAuth2Server;
  resolved: ResolvedPartner;
}

async function setup(
  id: string,
  fakeOptions: Partial<FakeOAuth2Options>,
  gen: Partial<OAuth2Generation> = {},
  revoke = true,
): Promise<Setup> {
  const fake = createFakeOAuth2Server({
    partner: id,
    clientId: `${id}-client`,
    clientSecret: `${id}-secret`,
    redirectUris: [REDIRECT],
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/token',
    revokePath: '/oauth2/revoke',
    clientAuth: 'basic',
    pkce: 'required',
    refresh: 'rotating',
    accessTokenTtlSeconds: 28800,
    tokenFields: (userId) => ({ user_id: userId }),
    ...fakeOptions,
  });
  const app = express();
  app.use(fake.router);
  app.get('/me', (req, res) => {
    const auth = fake.authenticate(req);
    if (auth.ok) res.json({ user: auth.userId });
    else res.status(401).json({ reason: auth.reason });
  });
  const server = await listen(app);
  const decl = declaration(id, gen, revoke);
  const resolved = resolvePartnerConfig(
    decl,
    createDevPartnerEnv(decl, server.url, { clientId: `${id}-client`, clientSecret: `${id}-secret` }),
  );
  return { server, fake, resolved };
}

/** Authorize over real HTTP (consent page), returning the callback URL and what the exchange needs. */
async function authorize(
  resolved: ResolvedPartner,
  options: { user?: string; decision?: 'allow' | 'deny' } = {},
) {
  const pkce = await createPkcePair();
  const state = randomState();
  const url = oauth2AuthorizeUrl(resolved, 'oauth2', {
    redirectUri: REDIRECT,
    state,
    codeChallenge: pkce.challenge,
  });
  const callbackUrl = await submitConsent(url, options);
  return { pkce, state, callbackUrl };
}

async function rejection(p: Promise<unknown>): Promise<PartnerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PartnerError) return e;
    throw e;
  }
  throw new Error('expected a PartnerError');
}

describe('OAuth 2.0 code flow with PKCE and rotating refresh (Fitbit-like)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('acme', {});
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('builds the authorization URL with client, scopes, state and S256 challenge', async () => {
    const url = oauth2AuthorizeUrl(s.resolved, 'oauth2', {
      redirectUri: REDIRECT,
      state: 'st',
      codeChallenge: 'c'.repeat(43),
    });
    expect(url.origin).toBe(s.server.url);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'acme-client',
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 'st',
      scope: 'weight activity',
      code_challenge_method: 'S256',
    });
    expect(() => oauth2AuthorizeUrl(s.resolved, 'oauth2', { redirectUri: REDIRECT, state: 'st' })).toThrow(
      /PKCE/,
    );
  });

  it('exchanges a code for tokens, refreshes with rotation, and the spent refresh token is refused', async () => {
    const { pkce, state, callbackUrl } = await authorize(s.resolved, { user: 'GGNJL9' });
    expect(callbackUrl.searchParams.get('state')).toBe(state);
    const tokens = await oauth2ExchangeCode(s.resolved, 'oauth2', {
      callbackUrl,
      expectedState: state,
      codeVerifier: pkce.verifier,
      redirectUri: REDIRECT,
    });
    expect(tokens.externalUserId).toBe('GGNJL9');
    expect(tokens.scope).toBe('weight activity');
    expect(tokens.expiresAt!.getTime() - Date.now()).toBeGreaterThan(28000 * 1000);
    const me = await fetch(`${s.server.url}/me`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(await me.json()).toEqual({ user: 'GGNJL9' });

    const before = s.fake.tokenEndpointCalls();
    const next = await oauth2Refresh(s.resolved, 'oauth2', tokens.refreshToken!);
    expect(s.fake.tokenEndpointCalls()).toBe(before + 1);
    expect(next.refreshToken).toBeDefined();
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.accessToken).not.toBe(tokens.accessToken);

    const spent = await rejection(oauth2Refresh(s.resolved, 'oauth2', tokens.refreshToken!));
    expect(spent.code).toBe('auth_revoked');
    expect(spent.message).not.toContain(tokens.refreshToken!);
  });

  it('rejects a tampered PKCE verifier', async () => {
    const { pkce, state, callbackUrl } = await authorize(s.resolved);
    const other = await createPkcePair();
    const e = await rejection(
      oauth2ExchangeCode(s.resolved, 'oauth2', {
        callbackUrl,
        expectedState: state,
        codeVerifier: other.verifier,
        redirectUri: REDIRECT,
      }),
    );
    expect(e.code).toBe('auth_revoked');
    expect(e.message).toMatch(/invalid_grant/);
    expect(e.message).not.toContain(pkce.verifier);
    expect(e.message).not.toContain(other.verifier);
  });

  it('codes are single use, state must match, and the redirect URI must be exactly the registered one', async () => {
    const a = await authorize(s.resolved);
    const params = {
      callbackUrl: a.callbackUrl,
      expectedState: a.state,
      codeVerifier: a.pkce.verifier,
      redirectUri: REDIRECT,
    };
    await oauth2ExchangeCode(s.resolved, 'oauth2', params);
    expect((await rejection(oauth2ExchangeCode(s.resolved, 'oauth2', params))).code).toBe('auth_revoked');

    const b = await authorize(s.resolved);
    expect(
      (
        await rejection(
          oauth2ExchangeCode(s.resolved, 'oauth2', {
            ...params,
            callbackUrl: b.callbackUrl,
            expectedState: 'other',
          }),
        )
      ).code,
    ).toBe('invalid_data');

    const c = await authorize(s.resolved);
    const wrong = await rejection(
      oauth2ExchangeCode(s.resolved, 'oauth2', {
        callbackUrl: c.callbackUrl,
        expectedState: c.state,
        codeVerifier: c.pkce.verifier,
        redirectUri: `${REDIRECT}x`,
      }),
    );
    expect(wrong.code).toBe('auth_revoked');

    const page = await fetch(
      oauth2AuthorizeUrl(s.resolved, 'oauth2', {
        redirectUri: 'http://127.0.0.1:2/elsewhere',
        state: 's',
        codeChallenge: a.pkce.challenge,
      }),
    );
    expect(page.status).toBe(400);
  });

  it('a denied consent comes back as access_denied and classifies as auth_revoked', async () => {
    const { pkce, state, callbackUrl } = await authorize(s.resolved, { decision: 'deny' });
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    const e = await rejection(
      oauth2ExchangeCode(s.resolved, 'oauth2', {
        callbackUrl,
        expectedState: state,
        codeVerifier: pkce.verifier,
        redirectUri: REDIRECT,
      }),
    );
    expect(e.code).toBe('auth_revoked');
  });

  it('the test shortcut ?auto=allow skips the page', async () => {
    const pkce = await createPkcePair();
    const url = oauth2AuthorizeUrl(s.resolved, 'oauth2', {
      redirectUri: REDIRECT,
      state: 'x',
      codeChallenge: pkce.challenge,
    });
    url.searchParams.set('auto', 'allow');
    url.searchParams.set('fake_user', 'auto-user');
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callbackUrl = new URL(res.headers.get('location')!);
    const tokens = await oauth2ExchangeCode(s.resolved, 'oauth2', {
      callbackUrl,
      expectedState: 'x',
      codeVerifier: pkce.verifier,
      redirectUri: REDIRECT,
    });
    expect(tokens.externalUserId).toBe('auto-user');
  });

  it('revocation ends the grant: API calls and refreshes are refused', async () => {
    const a = await authorize(s.resolved, { user: 'to-revoke' });
    const tokens = await oauth2ExchangeCode(s.resolved, 'oauth2', {
      callbackUrl: a.callbackUrl,
      expectedState: a.state,
      codeVerifier: a.pkce.verifier,
      redirectUri: REDIRECT,
    });
    expect(await oauth2Revoke(s.resolved, 'oauth2', tokens.accessToken)).toBe(true);
    const me = await fetch(`${s.server.url}/me`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(await me.json()).toEqual({ reason: 'revoked' });
    expect((await rejection(oauth2Refresh(s.resolved, 'oauth2', tokens.refreshToken!))).code).toBe(
      'auth_revoked',
    );
  });

  it('wrong client credentials classify as auth_revoked', async () => {
    const bad = {
      ...s.resolved,
      generations: { oauth2: { ...s.resolved.generations.oauth2!, clientSecret: 'nope' } },
    } as ResolvedPartner;
    const e = await rejection(oauth2Refresh(bad, 'oauth2', 'whatever'));
    expect(e.code).toBe('auth_revoked');
    expect(e.message).not.toContain('nope');
  });

  it('expired access tokens answer as expired until refreshed', async () => {
    const a = await authorize(s.resolved, { user: 'expiring' });
    const tokens = await oauth2ExchangeCode(s.resolved, 'oauth2', {
      callbackUrl: a.callbackUrl,
      expectedState: a.state,
      codeVerifier: a.pkce.verifier,
      redirectUri: REDIRECT,
    });
    s.fake.expireAccessTokens('expiring');
    const me = await fetch(`${s.server.url}/me`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(await me.json()).toEqual({ reason: 'expired' });
    const next = await oauth2Refresh(s.resolved, 'oauth2', tokens.refreshToken!);
    const again = await fetch(`${s.server.url}/me`, {
      headers: { authorization: `Bearer ${next.accessToken}` },
    });
    expect(await again.json()).toEqual({ user: 'expiring' });
  });
});

describe('non-standard token endpoints', () => {
  // Withings: POST /v2/oauth2 with action=requesttoken, client credentials in the body, the token
  // inside {status, body}, errors as HTTP 200 with a non-zero status.
  const Envelope = z.object({
    status: z.number(),
    body: z.unknown().optional(),
    error: z.string().optional(),
  });
  const withingsGen: Partial<OAuth2Generation> = {
    tokenUrl: 'https://wbsapi.example/v2/oauth2',
    scopeSeparator: ',',
    pkce: false,
    clientAuth: 'body',
    tokenParams: { action: 'requesttoken' },
    adaptTokenResponse: (raw) => {
      const env = Envelope.parse(raw);
      if (env.status === 0) return env.body;
      return {
        error: env.status === 601 ? 'slow_down' : 'invalid_grant',
        error_description: `status ${env.status}`,
      };
    },
    externalUserId: (r) => (r.userid === undefined ? undefined : String(r.userid)),
  };
  let s: Setup;
  beforeAll(async () => {
    s = await setup(
      'wlike',
      {
        tokenPath: '/v2/oauth2',
        clientAuth: 'body',
        pkce: 'none',
        scopeSeparator: ',',
        refresh: 'rotating-grace',
        accessTokenTtlSeconds: 10800,
        requiredTokenParams: { action: 'requesttoken' },
        tokenFields: (userId) => ({ userid: Number(userId) }),
        tokenResponse: (body) => ({ status: 200, body: { status: 0, body } }),
        errorResponse: (_error, description) => ({
          status: 200,
          body: { status: 503, body: {}, error: `Invalid Params: ${description}` },
        }),
      },
      withingsGen,
      false,
    );
  });
  afterAll(async () => {
    await s.server.close();
  });

  it('adapts the {status, body} envelope, sends action=requesttoken, and keeps the old refresh token valid until the new one is used', async () => {
    const state = randomState();
    const url = oauth2AuthorizeUrl(s.resolved, 'oauth2', { redirectUri: REDIRECT, state });
    expect(url.searchParams.get('scope')).toBe('weight,activity');
    const callbackUrl = await submitConsent(url, { user: '363' });
    const tokens = await oauth2ExchangeCode(s.resolved, 'oauth2', {
      callbackUrl,
      expectedState: state,
      redirectUri: REDIRECT,
    });
    expect(tokens.externalUserId).toBe('363');
    expect(tokens.expiresAt).toBeInstanceOf(Date);

    const first = await oauth2Refresh(s.resolved, 'oauth2', tokens.refreshToken!);
    // Grace: the old refresh token still works while the new access token is unused...
    const second = await oauth2Refresh(s.resolved, 'oauth2', tokens.refreshToken!);
    expect(second.accessToken).not.toBe(first.accessToken);
    // ...and stops once the newest access token of the old one's successor has been used.
    const used = s.fake.tokens.authenticate(second.accessToken);
    expect(used.ok).toBe(true);
    expect((await rejection(oauth2Refresh(s.resolved, 'oauth2', tokens.refreshToken!))).code).toBe(
      'auth_revoked',
    );
  });

  it('in-body errors are classified through the adapter', async () => {
    const e = await rejection(
      oauth2Refresh(s.resolved, 'oauth2', 'no-such-token-0123456789abcdef0123456789'),
    );
    expect(e.code).toBe('auth_revoked');
    expect(e.message).not.toContain('no-such-token-0123456789abcdef0123456789');
    expect(await oauth2Revoke(s.resolved, 'oauth2', 'x')).toBe(false);
  });
});

describe('classification of token endpoint failures', () => {
  let server: Listening;
  let mode: 'fitbit-invalid-grant' | 'strava-invalid' | '429' | '503' | 'html' = '429';
  const decl = declaration('broken', { pkce: false, clientAuth: 'body' });
  let resolved: ResolvedPartner;
  beforeAll(async () => {
    const app = express();
    app.post('/oauth2/token', (_req, res) => {
      if (mode === '429')
        res
          .status(429)
          .set('retry-after', '120')
          .json({ errors: [{ errorType: 'system', message: 'Too Many Requests' }] });
      else if (mode === '503') res.status(503).send('upstream down');
      else if (mode === 'html') res.status(400).type('html').send('<html>bad</html>');
      else if (mode === 'strava-invalid')
        res.status(400).json({
          errors: [{ resource: 'RefreshToken', field: 'refresh_token', code: 'invalid' }],
          message: 'Bad Request',
        });
      else
        res.status(400).json({
          errors: [
            {
              errorType: 'invalid_grant',
              message:
                'Refresh token invalid: 7a1f3c9e0b2d4f6a8c0e2b4d6f8a0c2e. Visit https://dev.fitbit.com/docs/oauth2',
            },
          ],
          success: false,
        });
    });
    server = await listen(app);
    resolved = resolvePartnerConfig(decl, createDevPartnerEnv(decl, server.url));
  });
  afterAll(async () => {
    await server.close();
  });

  it('429 -> rate_limited with the Retry-After moment', async () => {
    mode = '429';
    const e = await rejection(oauth2Refresh(resolved, 'oauth2', 'rt'));
    expect(e.code).toBe('rate_limited');
    const wait = e.details.retryAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(110_000);
    expect(wait).toBeLessThanOrEqual(120_000);
  });

  it('5xx -> transient; unexpected bodies -> invalid_data', async () => {
    mode = '503';
    expect((await rejection(oauth2Refresh(resolved, 'oauth2', 'rt'))).code).toBe('transient');
    mode = 'html';
    expect((await rejection(oauth2Refresh(resolved, 'oauth2', 'rt'))).code).toBe('invalid_data');
  });

  it("Fitbit's errors[] body is read as invalid_grant, and the token it echoes is redacted", async () => {
    mode = 'fitbit-invalid-grant';
    const e = await rejection(oauth2Refresh(resolved, 'oauth2', '7a1f3c9e0b2d4f6a8c0e2b4d6f8a0c2e'));
    expect(e.code).toBe('auth_revoked');
    expect(e.message).not.toContain('7a1f3c9e0b2d4f6a8c0e2b4d6f8a0c2e');
    expect(e.details.status).toBe(400);
  });

  it('an error body the kit cannot read as a grant error stays invalid_data, unless the declaration adapts it', async () => {
    mode = 'strava-invalid';
    expect((await rejection(oauth2Refresh(resolved, 'oauth2', 'rt'))).code).toBe('invalid_data');
    const adapting = declaration('adapting', {
      pkce: false,
      clientAuth: 'body',
      adaptErrorResponse: (raw, status) =>
        status === 400 && JSON.stringify(raw).includes('RefreshToken') ? { error: 'invalid_grant' } : null,
    });
    const r = resolvePartnerConfig(adapting, createDevPartnerEnv(adapting, server.url));
    const e = await rejection(oauth2Refresh(r, 'oauth2', 'rt'));
    expect(e.code).toBe('auth_revoked');
    expect(e.message).toContain('invalid_grant');
    mode = '503';
    expect((await rejection(oauth2Refresh(r, 'oauth2', 'rt'))).code).toBe('transient');
  });

  it('an unreachable server -> transient', async () => {
    const dead = await listen(express());
    await dead.close();
    const r = resolvePartnerConfig(decl, createDevPartnerEnv(decl, dead.url));
    const e = await rejection(oauth2Refresh(r, 'oauth2', 'rt'));
    expect(e.code).toBe('transient');
  });
});
