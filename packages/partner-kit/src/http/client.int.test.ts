import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDevPartnerEnv, type ResolvedPartner, resolvePartnerConfig } from '../config.js';
import type { Measurement } from '../containers.js';
import { decodeCursor, encodeCursor, pollAll } from '../cursor.js';
import { type Credentials, definePartnerApi, type KindResource } from '../define-partner.js';
import { PartnerError } from '../errors.js';
import { createFaults } from '../fake/faults.js';
import { fakeBodyParsers, type Listening, listen } from '../fake/http.js';
import { createFakeOAuth1Server } from '../fake/oauth1-server.js';
import { createFakeOAuth2Server } from '../fake/oauth2-server.js';
import { FixedWindowLimiter } from '../fake/rate-limit.js';
import { oauth1AccessToken, oauth1AuthorizeUrl, oauth1RequestToken } from '../oauth/oauth1.js';
import { oauth2AuthorizeUrl, oauth2ExchangeCode, oauth2Refresh, type TokenSet } from '../oauth/oauth2.js';
import { getJson } from '../read.js';
import { testPartner } from '../testing/test-partner.js';
import { pollPage } from '../validate.js';
import { createPartnerHttp } from './client.js';
import { createMemoryRateBudget } from './rate-budget.js';
import { remainingAndResetIn } from './rate-headers.js';

const REDIRECT = 'http://127.0.0.1:1/callback';

const declaration = testPartner('demo', {
  apiUrl: 'https://api.demo.example/v1',
  oauth2: { scopes: ['weight'] },
  legacy: { signaturePlacement: 'query' },
  capabilities: { measurement: { poll: true, push: true, update: false, delete: false } },
  rateLimits: [{ scope: 'user', limit: 150, windowSeconds: 3600, alignment: 'fixed' }],
});

const Envelope = z.object({ status: z.number(), error: z.string().optional() });
const api = definePartnerApi({
  declaration,
  resources: {},
  classify: (res) => {
    const env = Envelope.safeParse(res.body);
    if (!env.success || env.data.status === 0) return null;
    if (env.data.status === 601) return { code: 'rate_limited', message: 'status 601' };
    if (env.data.status === 401)
      return { code: 'auth_revoked', message: `status 401 ${env.data.error ?? ''}` };
    return { code: 'invalid_data', message: `status ${env.data.status}` };
  },
  rateLimitHeaders: remainingAndResetIn('x-limit-remaining', 'x-limit-reset'),
});

let server: Listening;
let resolved: ResolvedPartner;
const faults = createFaults();
const oauth = createFakeOAuth2Server({
  partner: 'demo',
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  authorizePath: '/oauth2/authorize',
  tokenPath: '/oauth2/token',
  clientAuth: 'body',
  refresh: 'rotating',
});
const oauth1 = createFakeOAuth1Server({
  partner: 'demo',
  consumerKey: 'demo-client',
  consumerSecret: 'demo-secret',
  requestTokenPath: '/oauth1/request_token',
  authorizePath: '/oauth1/authorize',
  accessTokenPath: '/oauth1/access_token',
});
const limiter = new FixedWindowLimiter({ limit: 1000, windowSeconds: 3600 });
const hits: Record<string, number> = {};
let lowRemaining = false;

beforeAll(async () => {
  const app = express();
  app.use(...fakeBodyParsers());
  app.use(oauth.router);
  app.use(oauth1.router);
  app.use('/v1', (req, _res, next) => {
    hits[`${req.method} ${req.path}`] = (hits[`${req.method} ${req.path}`] ?? 0) + 1;
    next();
  });
  app.use('/v1', faults.middleware);
  const user = (req: express.Request, res: express.Response): string | undefined => {
    const auth = oauth.authenticate(req);
    if (auth.ok) return auth.userId;
    res
      .status(401)
      .json({ errors: [{ errorType: auth.reason === 'expired' ? 'expired_token' : 'invalid_token' }] });
    return undefined;
  };
  app.get('/v1/items', (req, res) => {
    const u = user(req, res);
    if (!u) return;
    const d = limiter.take(u);
    res.set('x-limit-remaining', lowRemaining ? '0' : String(d.remaining)).set('x-limit-reset', '120');
    const page = Number(req.query.page ?? 0);
    res.json({
      items: [
        { id: page * 2 + 1, kg: 80 },
        { id: page * 2 + 2, kg: 81 },
      ],
      more: page < 2,
    });
  });
  app.post('/v1/items', (req, res) => {
    const u = user(req, res);
    if (!u) return;
    res.status(201).json({ id: 99, received: req.body });
  });
  app.get('/v1/envelope', (req, res) => {
    const auth = oauth.authenticate(req);
    if (!auth.ok) {
      res.json({ status: 401, error: 'invalid_token' });
      return;
    }
    res.json(
      req.query.busy ? { status: 601, error: 'Too many requests' } : { status: 0, body: { ok: true } },
    );
  });
  // Answers the API's classify reads: a refusal the kit has no meaning for, and one it has.
  app.post('/v1/refused', (_req, res) => {
    res.status(422).json({ status: 422, error: 'echoes the text sent' });
  });
  app.get('/v1/gone', (_req, res) => {
    res.status(404).json({ status: 601 });
  });
  app.get('/v1/legacy', (req, res) => {
    const auth = oauth1.authenticate(req);
    res
      .status(auth.ok ? 200 : 401)
      .json(auth.ok ? { user: auth.userId, action: req.query.action } : { reason: auth.reason });
  });
  server = await listen(app);
  resolved = resolvePartnerConfig(
    declaration,
    createDevPartnerEnv(declaration, server.url, { clientId: 'demo-client', clientSecret: 'demo-secret' }),
  );
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  faults.reset();
  lowRemaining = false;
});

async function connect(user: string): Promise<TokenSet> {
  const url = oauth2AuthorizeUrl(resolved, 'oauth2', { redirectUri: REDIRECT, state: 's' });
  url.searchParams.set('auto', 'allow');
  url.searchParams.set('fake_user', user);
  const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
  return oauth2ExchangeCode(resolved, 'oauth2', {
    callbackUrl: callback,
    expectedState: 's',
    redirectUri: REDIRECT,
  });
}

/** A connection as the sync worker holds it: credentials from "the auth service", refreshed on demand. */
function connection(tokens: TokenSet, extra: { budget?: ReturnType<typeof createMemoryRateBudget> } = {}) {
  let current = tokens;
  let refreshes = 0;
  const asCredentials = (t: TokenSet): Credentials => ({
    kind: 'oauth2',
    generation: 'oauth2',
    accessToken: t.accessToken,
  });
  const http = createPartnerHttp({
    api,
    resolved,
    userKey: 'user-key',
    credentials: async () => asCredentials(current),
    refreshCredentials: async () => {
      refreshes++;
      current = await oauth2Refresh(resolved, 'oauth2', current.refreshToken!);
      return asCredentials(current);
    },
    retryBaseMs: 5,
    ...(extra.budget ? { budget: extra.budget } : {}),
  });
  return { http, refreshes: () => refreshes };
}

async function rejection(p: Promise<unknown>): Promise<PartnerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (e instanceof PartnerError) return e;
  throw new Error(`expected a PartnerError, got ${String(e)}`);
}

describe('partner HTTP client', () => {
  it('signs with Bearer, joins the API path and parses JSON', async () => {
    const { http } = connection(await connect('u1'));
    const res = await http.request({ method: 'GET', path: '/items', query: { page: 2, skip: undefined } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [
        { id: 5, kg: 80 },
        { id: 6, kg: 81 },
      ],
      more: false,
    });
    expect(res.headers['content-type']).toMatch(/json/);
    const created = await http.request({ method: 'POST', path: '/items', json: { kg: 80 } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 99, received: { kg: 80 } });
  });

  it("carries the API's mismatch: an unreadable answer is classified as the partner declares", async () => {
    const tokens = await connect('u10');
    const glitchy = createPartnerHttp({
      api: { ...api, mismatch: 'transient' },
      resolved,
      userKey: 'k10',
      credentials: async () => ({ kind: 'oauth2', generation: 'oauth2', accessToken: tokens.accessToken }),
    });
    const NotItems = z.object({ nope: z.string() });
    expect(await rejection(getJson(glitchy, '/items', NotItems))).toMatchObject({ code: 'transient' });
    const plain = connection(tokens).http;
    expect(await rejection(getJson(plain, '/items', NotItems))).toMatchObject({ code: 'invalid_data' });
  });

  it('an expired token is refreshed once and the call retried', async () => {
    const c = connection(await connect('u2'));
    oauth.expireAccessTokens('u2');
    const res = await c.http.request({ method: 'GET', path: '/items' });
    expect(res.status).toBe(200);
    expect(c.refreshes()).toBe(1);
    // In-body 401 (Withings style) takes the same path.
    oauth.expireAccessTokens('u2');
    expect((await c.http.request({ method: 'GET', path: '/envelope' })).body).toEqual({
      status: 0,
      body: { ok: true },
    });
    expect(c.refreshes()).toBe(2);
  });

  it('a revoked user ends in auth_revoked, with no token in the message', async () => {
    const tokens = await connect('u3');
    const c = connection(tokens);
    oauth.revokeUser('u3');
    const e = await rejection(c.http.request({ method: 'GET', path: '/items' }));
    expect(e.code).toBe('auth_revoked');
    expect(e.message).not.toContain(tokens.accessToken);
    const plain = createPartnerHttp({
      api,
      resolved,
      userKey: 'k',
      credentials: async () => ({ kind: 'oauth2', generation: 'oauth2', accessToken: tokens.accessToken }),
    });
    const e2 = await rejection(plain.request({ method: 'GET', path: '/items' }));
    expect(e2).toMatchObject({ code: 'auth_revoked', details: { status: 401, partner: 'demo' } });
  });

  it('retries idempotent calls on 5xx, but never a POST', async () => {
    const { http } = connection(await connect('u4'));
    const before = hits['GET /items'] ?? 0;
    faults.failNext(2, 503);
    expect((await http.request({ method: 'GET', path: '/items' })).status).toBe(200);
    expect((hits['GET /items'] ?? 0) - before).toBe(3);

    const posts = hits['POST /items'] ?? 0;
    faults.failNext(1, 502);
    const e = await rejection(http.request({ method: 'POST', path: '/items', json: {} }));
    expect(e).toMatchObject({ code: 'transient', details: { status: 502 } });
    expect((hits['POST /items'] ?? 0) - posts).toBe(1);

    faults.failNext(5, 500);
    expect((await rejection(http.request({ method: 'GET', path: '/items' }))).code).toBe('transient');
  });

  it('429 -> rate_limited with the partner delay, and the shared budget is blocked until then', async () => {
    const budget = createMemoryRateBudget({ partner: 'demo', limits: declaration.rateLimits });
    const { http } = connection(await connect('u5'), { budget });
    faults.rateLimitNext(90);
    const e = await rejection(http.request({ method: 'GET', path: '/items' }));
    expect(e.code).toBe('rate_limited');
    const wait = e.details.retryAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(85_000);
    expect(wait).toBeLessThanOrEqual(90_000);
    const next = await budget.tryTake('user-key');
    expect(next.allowed).toBe(false);
    // The next call is refused before it reaches the partner.
    const before = hits['GET /items'] ?? 0;
    expect((await rejection(http.request({ method: 'GET', path: '/items' }))).code).toBe('rate_limited');
    expect(hits['GET /items'] ?? 0).toBe(before);
  });

  it('rate-limit headers with nothing remaining block the budget; in-body limits classify', async () => {
    const budget = createMemoryRateBudget({ partner: 'demo', limits: declaration.rateLimits });
    const { http } = connection(await connect('u6'), { budget });
    lowRemaining = true;
    expect((await http.request({ method: 'GET', path: '/items' })).status).toBe(200);
    const r = await budget.tryTake('user-key');
    expect(r.allowed).toBe(false);

    const free = connection(await connect('u7'));
    const e = await rejection(free.http.request({ method: 'GET', path: '/envelope', query: { busy: 1 } }));
    expect(e).toMatchObject({ code: 'rate_limited', details: { status: 200 } });
  });

  it("a 4xx the kit gives no meaning is the API's to describe; 401/403/404/409/429/5xx stay the kit's", async () => {
    const { http } = connection(await connect('u8'));
    const refused = await rejection(http.request({ method: 'POST', path: '/refused' }));
    expect(refused).toMatchObject({ code: 'invalid_data', details: { status: 422 } });
    expect(refused.message).toBe('demo POST /v1/refused: status 422');
    const gone = await rejection(http.request({ method: 'GET', path: '/gone' }));
    expect(gone).toMatchObject({ code: 'not_found', details: { status: 404 } });
  });

  it('takes the budget before every call: over the limit nothing is sent', async () => {
    const budget = createMemoryRateBudget({
      partner: 'demo',
      limits: [{ scope: 'user', limit: 2, windowSeconds: 3600, alignment: 'fixed' }],
    });
    const { http } = connection(await connect('u8'), { budget });
    const before = hits['GET /items'] ?? 0;
    await http.request({ method: 'GET', path: '/items' });
    await http.request({ method: 'GET', path: '/items' });
    const e = await rejection(http.request({ method: 'GET', path: '/items' }));
    expect(e.code).toBe('rate_limited');
    expect((hits['GET /items'] ?? 0) - before).toBe(2);
  });

  it('network failures are transient; foreign absolute URLs are refused', async () => {
    const dead = await listen(express());
    await dead.close();
    const r = resolvePartnerConfig(declaration, createDevPartnerEnv(declaration, dead.url));
    const http = createPartnerHttp({
      api,
      resolved: r,
      userKey: 'k',
      retryBaseMs: 1,
      credentials: async () => ({ kind: 'oauth2', generation: 'oauth2', accessToken: 't' }),
    });
    expect((await rejection(http.request({ method: 'GET', path: '/items' }))).code).toBe('transient');
    const { http: ok } = connection(await connect('u9'));
    expect((await rejection(ok.request({ method: 'GET', path: 'https://evil.example/steal' }))).code).toBe(
      'invalid_data',
    );
    expect((await ok.request({ method: 'GET', path: `${server.url}/v1/items?page=1` })).status).toBe(200);
  });

  it('signs OAuth 1.0a calls in the query for a legacy generation', async () => {
    const temp = await oauth1RequestToken(resolved, 'legacy', { callbackUrl: REDIRECT });
    const authorize = oauth1AuthorizeUrl(resolved, 'legacy', temp.token);
    authorize.searchParams.set('auto', 'allow');
    authorize.searchParams.set('fake_user', 'old-1');
    const callback = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    const access = await oauth1AccessToken(resolved, 'legacy', {
      ...temp,
      verifier: callback.searchParams.get('oauth_verifier')!,
    });
    const http = createPartnerHttp({
      api,
      resolved,
      userKey: 'old-1',
      credentials: async () => ({
        kind: 'oauth1',
        generation: 'legacy',
        token: access.token,
        tokenSecret: access.tokenSecret,
      }),
    });
    const res = await http.request({ method: 'GET', path: '/legacy', query: { action: 'getmeas' } });
    expect(res.body).toEqual({ user: 'old-1', action: 'getmeas' });
  });
});

describe('pollAll', () => {
  const Cursor = z.object({ page: z.number().int() });
  const Page = z.object({ items: z.array(z.object({ id: z.number(), kg: z.number() })), more: z.boolean() });
  const weights: KindResource<Measurement> = {
    async poll(ctx, cursor) {
      const page = decodeCursor(cursor, Cursor)?.page ?? 0;
      const res = await ctx.http.request({ method: 'GET', path: '/items', query: { page } });
      const body = Page.parse(res.body);
      return pollPage(
        'measurement',
        body.items,
        (raw) => {
          const item = z.object({ id: z.number(), kg: z.number() }).parse(raw);
          return {
            externalId: String(item.id),
            candidate: {
              type: 'weight',
              value: item.kg,
              unit: 'kg',
              measuredAt: '2024-03-01T07:00:00+01:00',
              utcOffsetMinutes: 60,
            },
          };
        },
        { more: body.more, nextCursor: encodeCursor({ page: page + 1 }) },
      );
    },
  };

  it('follows pages to the end, and stops at the page cap with a cursor to continue from', async () => {
    const { http } = connection(await connect('p1'));
    const ctx = { http, externalUserId: 'p1', generation: 'oauth2', now: new Date() };
    const all = await pollAll(weights, ctx, undefined);
    expect(all.items.map((i) => i.externalId)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(all.pages).toBe(3);
    expect(all.truncated).toBe(false);
    const capped = await pollAll(weights, ctx, undefined, { maxPages: 2 });
    expect(capped.truncated).toBe(true);
    expect(decodeCursor(capped.cursor, Cursor)).toEqual({ page: 2 });
    const rest = await pollAll(weights, ctx, capped.cursor);
    expect(rest.items.map((i) => i.externalId)).toEqual(['5', '6']);
  });

  it('a partner that says more without moving the cursor is an error, not a loop', async () => {
    const stuck: KindResource<Measurement> = {
      poll: async () => ({ items: [], rejected: [], more: true, nextCursor: 'same' }),
    };
    const ctx = {
      http: connection(await connect('p2')).http,
      externalUserId: 'p2',
      generation: 'oauth2',
      now: new Date(),
    };
    expect((await rejection(pollAll(stuck, ctx, 'same'))).code).toBe('invalid_data');
    expect(decodeCursor('not-base64-json', Cursor)).toBeUndefined();
  });
});
