import {
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2Refresh,
  oauth2Revoke,
  type ResolvedPartner,
  randomState,
  type WebhookContext,
} from '@healthsync/partner-kit';
import {
  connectThroughConsent,
  fakeBodyParsers,
  jsonObject,
  type Listening,
  listen,
  movableClock,
  resolveAgainstFake,
  submitConsent,
  webhookRequestOf,
} from '@healthsync/partner-kit/fake';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration } from '../partner.js';
import { type StravaFakeHandle, startFake } from './index.js';

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/strava/callback';
const VERIFY = 'strava-verify-token';

/** A clock the tests move (the fake's windows and token expiry read it). */
const clock = movableClock('2026-03-02T10:07:00Z');

let fake: StravaFakeHandle;
let resolved: ResolvedPartner;

beforeAll(async () => {
  fake = await startFake({ seed: false, clock, eventRetryDelaysMs: [20, 20] });
  resolved = resolveAgainstFake(declaration, fake);
});
afterAll(() => fake.close());

const connect = (user?: string) =>
  connectThroughConsent(resolved, { redirectUri: REDIRECT, ...(user ? { user } : {}) });

const api = (token: string, path: string, init: RequestInit = {}) =>
  fetch(`${fake.url}/api/v3${path}`, {
    ...init,
    headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` },
  });

describe('OAuth 2.0', () => {
  it('ends with a working API call as the athlete named in the token response', async () => {
    const tokens = await connect('227615');
    expect(tokens.externalUserId).toBe('227615');
    expect(tokens.callback.searchParams.get('scope')).toBe(
      'read,activity:read_all,activity:write,profile:read_all,profile:write',
    );
    const res = await api(tokens.accessToken, '/athlete');
    expect(res.status).toBe(200);
    expect(await jsonObject(res)).toMatchObject({ id: 227615, resource_state: 3 });
  });

  it('sends client credentials in the body and answers expires_at with the 6-hour token', async () => {
    const state = randomState();
    const callback = await submitConsent(
      oauth2AuthorizeUrl(resolved, 'oauth2', { redirectUri: REDIRECT, state }),
    );
    const res = await fetch(`${fake.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        code: callback.searchParams.get('code') ?? '',
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
      }),
    });
    const body = await jsonObject(res);
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 21_600,
      expires_at: Math.floor(clock.now().getTime() / 1000) + 21_600,
    });
    expect(body.athlete).toMatchObject({ resource_state: 2 });
  });

  it('rotates the refresh token: the newest works, the old one answers 400 RefreshToken invalid', async () => {
    const first = await connect();
    const second = await oauth2Refresh(resolved, 'oauth2', first.refreshToken ?? '');
    expect(second.refreshToken).toBeDefined();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await api(second.accessToken, '/athlete')).status).toBe(200);
    const reuse = await fetch(`${fake.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: first.refreshToken ?? '',
      }),
    });
    expect(reuse.status).toBe(400);
    expect(await jsonObject(reuse)).toEqual({
      message: 'Bad Request',
      errors: [{ resource: 'RefreshToken', field: 'refresh_token', code: 'invalid' }],
    });
    const third = await oauth2Refresh(resolved, 'oauth2', second.refreshToken ?? '');
    expect((await api(third.accessToken, '/athlete')).status).toBe(200);
    // Through the kit, the spent token is a revoked grant (the user must reconnect), not bad data.
    const spent = await oauth2Refresh(resolved, 'oauth2', first.refreshToken ?? '').catch((e: unknown) => e);
    expect(spent).toMatchObject({ name: 'PartnerError', code: 'auth_revoked' });
  });

  it('answers an expired token with 401 Authorization Error', async () => {
    const tokens = await connect();
    fake.controls.expireAccessTokens(tokens.externalUserId ?? '');
    const res = await api(tokens.accessToken, '/athlete');
    expect(res.status).toBe(401);
    expect(await jsonObject(res)).toEqual({
      message: 'Authorization Error',
      errors: [{ resource: 'Athlete', field: 'access_token', code: 'invalid' }],
    });
  });
});

describe('API quirks', () => {
  it('writes start_date_local as local time with a Z, beside the UTC start_date and utc_offset', async () => {
    const { accessToken, externalUserId = '' } = await connect();
    Object.assign(fake.data.athlete(externalUserId), {
      offsetMinutes: -480,
      timezone: 'America/Los_Angeles',
    });
    const created = await api(accessToken, '/activities', {
      method: 'POST',
      body: new URLSearchParams({
        name: 'Dawn patrol',
        sport_type: 'Run',
        start_date_local: '2026-03-01T06:30:00',
        elapsed_time: '2400',
        distance: '7000',
      }),
    });
    expect(created.status).toBe(201);
    expect(await jsonObject(created)).toMatchObject({
      start_date: '2026-03-01T14:30:00Z',
      start_date_local: '2026-03-01T06:30:00Z',
      utc_offset: -28_800,
      timezone: '(GMT-08:00) America/Los_Angeles',
      type: 'Run',
      manual: true,
    });
    const missing = await api(accessToken, '/activities', {
      method: 'POST',
      body: new URLSearchParams({ name: 'x' }),
    });
    expect(missing.status).toBe(400);
    expect(await jsonObject(missing)).toEqual({
      message: 'Bad Request',
      errors: [{ resource: 'Activity', field: 'sport_type', code: 'missing' }],
    });
  });

  it('pages the activity list oldest first with after, and updates only descriptive fields', async () => {
    const { accessToken, externalUserId = '' } = await connect();
    for (let i = 0; i < 5; i++)
      fake.data.activities.insert(externalUserId, {
        name: `Ride ${i}`,
        sportType: 'Ride',
        start: new Date(Date.UTC(2026, 1, 1 + i, 8)),
        offsetMinutes: 0,
        timezone: 'UTC',
        elapsedTime: 3600,
        movingTime: 3500,
        distance: 25_000,
        calories: 700,
        description: '',
        trainer: false,
        commute: false,
        manual: false,
      });
    const page = async (n: number) =>
      (
        (await (
          await api(
            accessToken,
            `/athlete/activities?after=${Date.UTC(2026, 1, 2) / 1000}&per_page=2&page=${n}`,
          )
        ).json()) as { name: string }[]
      ).map((a) => a.name);
    expect([await page(1), await page(2), await page(3)]).toEqual([
      ['Ride 1', 'Ride 2'],
      ['Ride 3', 'Ride 4'],
      [],
    ]);

    const list = (await (await api(accessToken, '/athlete/activities?per_page=1')).json()) as {
      id: number;
    }[];
    const id = list[0]?.id;
    const updated = await api(accessToken, `/activities/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Renamed', sport_type: 'GravelRide', elapsed_time: 1 }),
    });
    expect(updated.status).toBe(400);
    const renamed = await api(accessToken, `/activities/${id}`, {
      method: 'PUT',
      body: new URLSearchParams({ name: 'Renamed', sport_type: 'MountainBikeRide' }),
    });
    expect(await jsonObject(renamed)).toMatchObject({
      name: 'Renamed',
      sport_type: 'MountainBikeRide',
      type: 'Ride',
      elapsed_time: 3600,
    });
  });

  it('keeps one weight in the athlete profile (PUT /athlete?weight=) and moves updated_at', async () => {
    const { accessToken } = await connect();
    const put = await api(accessToken, '/athlete?weight=71.25', { method: 'PUT' });
    expect(await jsonObject(put)).toMatchObject({ weight: 71.25, updated_at: '2026-03-02T10:07:00Z' });
  });
});

describe('rate limits (per application)', () => {
  it('reports X-RateLimit-* and X-ReadRateLimit-* usage, answers 429 over the read limit and resets at the quarter hour', async () => {
    const limited = await startFake({
      seed: false,
      clock,
      limits: { overall: [200, 2000], read: [100, 1000] },
    });
    try {
      clock.at = new Date('2026-03-02T10:07:00Z');
      const config = resolveAgainstFake(declaration, limited);
      const state = randomState();
      const callback = await submitConsent(
        oauth2AuthorizeUrl(config, 'oauth2', { redirectUri: REDIRECT, state }),
      );
      const { accessToken } = await oauth2ExchangeCode(config, 'oauth2', {
        callbackUrl: callback,
        expectedState: state,
        redirectUri: REDIRECT,
      });
      const call = (method = 'GET') =>
        fetch(`${limited.url}/api/v3/athlete${method === 'PUT' ? '?weight=70' : ''}`, {
          method,
          headers: { authorization: `Bearer ${accessToken}` },
        });

      let last: Response | undefined;
      for (let i = 0; i < 100; i++) {
        last = await call();
        await last.arrayBuffer();
      }
      expect(last?.headers.get('x-ratelimit-limit')).toBe('200,2000');
      expect(last?.headers.get('x-ratelimit-usage')).toBe('100,100');
      expect(last?.headers.get('x-readratelimit-limit')).toBe('100,1000');
      expect(last?.headers.get('x-readratelimit-usage')).toBe('100,100');

      const over = await call();
      expect(over.status).toBe(429);
      expect(await jsonObject(over)).toEqual({
        message: 'Rate Limit Exceeded',
        errors: [{ resource: 'Application', field: 'rate limit', code: 'exceeded' }],
      });
      // A write is not a read: it still fits the overall window.
      const write = await call('PUT');
      expect(write.status).toBe(200);
      expect(write.headers.get('x-ratelimit-usage')).toBe('102,102');

      clock.at = new Date('2026-03-02T10:15:00Z');
      const fresh = await call();
      expect(fresh.status).toBe(200);
      // The 15-minute windows start again; the daily ones keep counting (the refused read too).
      expect(fresh.headers.get('x-ratelimit-usage')).toBe('1,103');
      expect(fresh.headers.get('x-readratelimit-usage')).toBe('1,102');
    } finally {
      await limited.close();
    }
  });
});

describe('push subscription and events', () => {
  let receiver: Listening;
  const events: { status: number; notifications: unknown }[] = [];
  let subscriptionId: string | undefined;

  beforeAll(async () => {
    // Our side, built only from the declaration (as the auth service does).
    const app = express();
    app.use(...fakeBodyParsers());
    app.all('/v1/webhooks/strava', (req, res) => {
      const spec = declaration.webhook;
      const request = webhookRequestOf(req);
      const ctx: WebhookContext = {
        clientSecret: fake.clientSecret,
        verifyToken: VERIFY,
        ...(subscriptionId ? { subscriptionId } : {}),
      };
      const handshake = spec.handshake?.(request, ctx);
      if (handshake) return void res.status(handshake.status).json(handshake.body ?? {});
      const ok = spec.verify(request, ctx);
      events.push({
        status: ok ? spec.accepted.status : spec.rejected.status,
        notifications: ok ? spec.parse(request) : undefined,
      });
      res.status(ok ? spec.accepted.status : spec.rejected.status).end();
    });
    receiver = await listen(app);
  });
  afterAll(() => receiver.close());

  const subscribe = (verifyToken: string) =>
    fetch(`${fake.url}/api/v3/push_subscriptions`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        callback_url: `${receiver.url}/v1/webhooks/strava`,
        verify_token: verifyToken,
      }),
    });

  it('creates the one subscription after the hub.challenge round trip; a wrong verify token or a second one is refused', async () => {
    const wrong = await subscribe('not-ours');
    expect(wrong.status).toBe(400);
    expect(await jsonObject(wrong)).toMatchObject({
      errors: [{ resource: 'PushSubscription', code: 'GET to callback URL does not return 200' }],
    });

    const created = await subscribe(VERIFY);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    subscriptionId = String(id);
    expect(fake.subscription()?.id).toBe(id);

    const again = await subscribe(VERIFY);
    expect(await jsonObject(again)).toMatchObject({
      errors: [{ resource: 'PushSubscription', code: 'already exists' }],
    });
    const list = await fetch(
      `${fake.url}/api/v3/push_subscriptions?client_id=${fake.clientId}&client_secret=${fake.clientSecret}`,
    );
    expect(await list.json()).toEqual([
      expect.objectContaining({ id, callback_url: `${receiver.url}/v1/webhooks/strava` }),
    ]);
  });

  it('delivers activity events that our side accepts and maps to exercise; a foreign subscription id is refused', async () => {
    events.length = 0;
    const delivery = await fake.sendEvent({
      object_type: 'activity',
      object_id: 1360128428,
      aspect_type: 'create',
      owner_id: 134815,
    });
    expect(delivery?.ok).toBe(true);
    expect(events).toEqual([
      { status: 200, notifications: [{ externalUserId: '134815', kinds: ['exercise'] }] },
    ]);

    const forged = JSON.parse(delivery?.body ?? '{}') as Record<string, unknown>;
    const res = await fetch(`${receiver.url}/v1/webhooks/strava`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...forged, subscription_id: 1 }),
    });
    expect(res.status).toBe(403);
  });

  it('sends a deauthorization event (authorized "false") when the athlete revokes access', async () => {
    const tokens = await connect();
    events.length = 0;
    expect(await oauth2Revoke(resolved, 'oauth2', tokens.accessToken)).toBe(true);
    await fake.settled();
    expect(events).toEqual([
      { status: 200, notifications: [{ externalUserId: tokens.externalUserId, kinds: [], revoked: true }] },
    ]);
    expect((await api(tokens.accessToken, '/athlete')).status).toBe(401);
  });

  it('deletes the subscription, then retries a failing delivery: three attempts in all', async () => {
    const res = await fetch(
      `${fake.url}/api/v3/push_subscriptions/${subscriptionId}?client_id=${fake.clientId}&client_secret=${fake.clientSecret}`,
      { method: 'DELETE' },
    );
    expect(res.status).toBe(204);
    expect(fake.subscription()).toBeUndefined();
    expect(
      await fake.sendEvent({ object_type: 'activity', object_id: 1, aspect_type: 'create', owner_id: 1 }),
    ).toBeUndefined();

    // A callback that passes the handshake but fails every event.
    const flaky = express();
    flaky.get('/', (req, res) => void res.json({ 'hub.challenge': req.query['hub.challenge'] }));
    flaky.post('/', (_req, res) => void res.status(500).end());
    const server = await listen(flaky);
    try {
      const created = await fetch(`${fake.url}/api/v3/push_subscriptions`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: fake.clientId,
          client_secret: fake.clientSecret,
          callback_url: `${server.url}/`,
          verify_token: VERIFY,
        }),
      });
      expect(created.status).toBe(201);
      const delivery = await fake.sendEvent({
        object_type: 'activity',
        object_id: 2,
        aspect_type: 'update',
        owner_id: 1,
        updates: { title: 'x' },
      });
      expect(delivery?.ok).toBe(false);
      expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
    } finally {
      await server.close();
    }
  });
});
