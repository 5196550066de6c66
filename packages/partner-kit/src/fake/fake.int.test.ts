import { createHmac } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePartnerApi, type WebhookRequest } from '../define-partner.js';
import { PartnerError } from '../errors.js';
import { createPartnerHttp } from '../http/client.js';
import { testPartner } from '../testing/test-partner.js';
import { createFaults } from './faults.js';
import { fakeBodyParsers, type Listening, listen, rawBodyOf, webhookRequestOf } from './http.js';
import { createPartnerFake } from './partner-fake.js';
import { userRandom } from './random.js';
import { connectedContext, connectOAuth1ThroughConsent, resolveAgainstFake } from './testing.js';
import { createWebhookSender, jsonNotification } from './webhook.js';

describe('webhook sender', () => {
  let receiver: Listening;
  const received: { body: string; signature?: string | undefined }[] = [];
  let failures = 0;
  beforeAll(async () => {
    const app = express();
    app.use(...fakeBodyParsers());
    app.post('/hook', (req, res) => {
      if (failures > 0) {
        failures--;
        res.status(500).end();
        return;
      }
      received.push({ body: rawBodyOf(req).toString('utf8'), signature: req.get('x-signature') });
      res.status(204).end();
    });
    receiver = await listen(app);
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('signs the exact body, retries on failure and records every attempt', async () => {
    const sender = createWebhookSender({
      sign: (body) => ({ 'x-signature': createHmac('sha1', 'secret&').update(body).digest('base64') }),
      retryDelaysMs: [10, 10],
    });
    failures = 1;
    const body = JSON.stringify([{ collectionType: 'body', ownerId: 'GGNJL9' }]);
    const delivery = await sender.send(`${receiver.url}/hook`, { body, contentType: 'application/json' });
    expect(delivery.ok).toBe(true);
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 204]);
    expect(received.at(-1)).toEqual({
      body,
      signature: createHmac('sha1', 'secret&').update(body).digest('base64'),
    });
    expect(sender.deliveries).toHaveLength(1);
  });

  it('gives up after the schedule and records network errors', async () => {
    const dead = await listen(express());
    await dead.close();
    const sender = createWebhookSender({ retryDelaysMs: [5] });
    const delivery = await sender.send(`${dead.url}/hook`, {
      body: 'userid=1&appli=1',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(delivery.ok).toBe(false);
    expect(delivery.attempts).toHaveLength(2);
    expect(delivery.attempts[0]?.error).toBeDefined();
  });
});

describe('fault injection', () => {
  it('fails the next N calls, then rate limits with Retry-After, then lets calls through', async () => {
    const faults = createFaults();
    const app = express();
    app.use(faults.middleware);
    app.get('/x', (_req, res) => {
      res.json({ ok: true });
    });
    const server = await listen(app);
    try {
      faults.failNext(2, 502);
      faults.rateLimitNext(30);
      const statuses: (number | string | null)[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${server.url}/x`);
        statuses.push(res.status, res.headers.get('retry-after'));
      }
      expect(statuses).toEqual([502, null, 502, null, 429, '30', 200, null]);
      expect(() => faults.failNext(1, 404)).toThrow(RangeError);
    } finally {
      await server.close();
    }
  });
});

describe('createPartnerFake', () => {
  it('serves OAuth, plants demo history once per user, and exposes the standard controls', async () => {
    const planted: string[] = [];
    const accounts: string[] = [];
    const fake = createPartnerFake({
      partner: 'acme',
      options: { seed: 3 },
      client: { id: 'acme-client', secret: 'acme-secret' },
      newUserId: (n) => `U${n}`,
      acceptUserId: (id) => {
        if (!/^U\d+$/.test(id)) throw new RangeError('acme ids are U<digits>');
        return id;
      },
      faults: { serverError: (res, status) => void res.status(status).send('down') },
      account: (id) => accounts.push(id),
      demo: { plant: (id, random) => planted.push(`${id}:${random().toFixed(6)}`) },
    });
    const oauth = fake.oauth2({ authorizePath: '/authorize', tokenPath: '/token', clientAuth: 'body' });
    fake.app.get('/me', fake.faults.middleware, (req, res) => {
      const auth = fake.authenticate(req);
      if (!auth.ok) return void res.status(401).json({ reason: auth.reason });
      res.json({ user: auth.userId });
    });
    const handle = await fake.listen({ extra: 42 });
    try {
      expect(handle.extra).toBe(42);
      expect(handle.clientId).toBe('acme-client');
      expect(handle.controls.createUser('U7')).toBe('U7');
      expect(() => handle.controls.createUser('nope')).toThrow(RangeError);
      const issued = oauth.tokens.issue('U7', '');
      const me = () =>
        fetch(`${handle.url}/me`, { headers: { authorization: `Bearer ${issued.accessToken}` } });
      expect(await (await me()).json()).toEqual({ user: 'U7' });
      expect(planted).toHaveLength(1);
      expect(planted[0]).toBe(`U7:${userRandom(3, 'U7')().toFixed(6)}`);
      expect(accounts).toEqual([]);
      handle.controls.failNext(1);
      expect([(await me()).status, (await me()).status]).toEqual([503, 200]);
      handle.controls.revokeUser('U7');
      expect(await (await me()).json()).toEqual({ reason: 'revoked' });
      expect(handle.controls.tokenEndpointCalls()).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it('without a seed, a new user gets an empty account', async () => {
    const accounts: string[] = [];
    const fake = createPartnerFake({
      partner: 'acme',
      options: { seed: false },
      client: { id: 'c', secret: 's' },
      account: (id) => accounts.push(id),
      demo: { plant: () => accounts.push('demo') },
    });
    expect(fake.seed).toBeUndefined();
    expect(fake.controls.createUser()).toBe('10001');
    fake.ensureUser('10001');
    expect(accounts).toEqual(['10001']);
  });
});

describe('webhookRequestOf', () => {
  it('keeps the first value of each query parameter and header, and the raw body', async () => {
    let seen: WebhookRequest | undefined;
    const app = express();
    app.use(...fakeBodyParsers());
    app.post('/hook', (req, res) => {
      seen = webhookRequestOf(req);
      res.status(204).end();
    });
    const server = await listen(app);
    try {
      const request = jsonNotification('{"a":1}', { 'x-sig': 'abc' });
      await fetch(`${server.url}/hook?verify=1&verify=2`, {
        method: 'POST',
        headers: request.headers as Record<string, string>,
        body: request.rawBody,
      });
      expect(seen?.method).toBe('POST');
      expect(seen?.query).toEqual({ verify: '1' });
      expect(seen?.headers['x-sig']).toBe('abc');
      expect(seen?.rawBody.toString()).toBe('{"a":1}');
    } finally {
      await server.close();
    }
  });
});

describe('connecting through the consent page', () => {
  const declaration = testPartner('acme', {
    oauth2: { scopes: ['weight'], pkce: true },
    legacy: {},
    rateLimits: [{ scope: 'user', limit: 2, windowSeconds: 3600 }],
  });
  const api = definePartnerApi({ declaration, resources: {} });
  const REDIRECT = 'http://127.0.0.1:9/v1/oauth/acme/callback';

  async function start() {
    const fake = createPartnerFake({
      partner: 'acme',
      options: { seed: false, redirectUris: [REDIRECT] },
      client: { id: 'acme-client', secret: 'acme-secret' },
      newUserId: (n) => `U${n}`,
    });
    fake.oauth2({
      authorizePath: '/oauth2/authorize',
      tokenPath: '/oauth2/token',
      clientAuth: 'body',
      pkce: 'required',
      tokenFields: (userId) => ({ user_id: userId }),
    });
    const legacy = fake.oauth1({
      requestTokenPath: '/oauth1/request_token',
      authorizePath: '/oauth1/authorize',
      accessTokenPath: '/oauth1/access_token',
      accessTokenFields: (userId) => ({ userid: userId }),
    });
    fake.app.get('/me', (req, res) => {
      const auth = fake.authenticate(req);
      if (!auth.ok) return void res.status(401).json({ reason: auth.reason });
      res.json({ user: auth.userId });
    });
    fake.app.get('/legacy/me', (req, res) => {
      const auth = legacy.authenticate(req);
      if (!auth.ok) return void res.status(401).json({ reason: auth.reason });
      res.json({ user: auth.userId });
    });
    const handle = await fake.listen({});
    return { handle, resolved: resolveAgainstFake(declaration, handle) };
  }

  it('connectedContext: PKCE consent for the chosen user, a working client over the declared budget', async () => {
    const { handle, resolved } = await start();
    try {
      handle.controls.createUser('U7');
      const ctx = await connectedContext(api, resolved, { redirectUri: REDIRECT, user: 'U7' });
      expect(ctx).toMatchObject({ externalUserId: 'U7', generation: 'oauth2' });
      expect(ctx.tokens.callback.origin + ctx.tokens.callback.pathname).toBe(REDIRECT);
      const me = () => ctx.http.request({ method: 'GET', path: '/me' });
      expect((await me()).body).toEqual({ user: 'U7' });
      expect((await me()).body).toEqual({ user: 'U7' });
      // The third call is over the per-user limit of 2 an hour: refused at once, not sent.
      const refused = await me().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PartnerError);
      expect((refused as PartnerError).code).toBe('rate_limited');
      // Each connection has its own budget.
      const again = await connectedContext(api, resolved, { redirectUri: REDIRECT, user: 'U7' });
      expect((await again.http.request({ method: 'GET', path: '/me' })).status).toBe(200);
    } finally {
      await handle.close();
    }
  });

  it('connectOAuth1ThroughConsent: request token, consent, access token naming the user', async () => {
    const { handle, resolved } = await start();
    try {
      const access = await connectOAuth1ThroughConsent(resolved, {
        callbackUrl: REDIRECT,
        user: 'U8',
        generation: 'legacy',
      });
      expect(access.externalUserId).toBe('U8');
      expect(access.callback.searchParams.get('oauth_verifier')).toBeTruthy();
      const http = createPartnerHttp({
        api,
        resolved,
        userKey: 'U8',
        credentials: async () => ({
          kind: 'oauth1',
          generation: 'legacy',
          token: access.token,
          tokenSecret: access.tokenSecret,
        }),
      });
      expect((await http.request({ method: 'GET', path: '/legacy/me' })).body).toEqual({ user: 'U8' });
    } finally {
      await handle.close();
    }
  });
});
