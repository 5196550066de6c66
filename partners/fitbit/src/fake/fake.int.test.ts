import { oauth2Refresh, PartnerError, type ResolvedPartner } from '@healthsync/partner-kit';
import {
  connectThroughConsent,
  fakeBodyParsers,
  jsonObject,
  type Listening,
  listen,
  movableClock,
  resolveAgainstFake,
  webhookRequestOf,
} from '@healthsync/partner-kit/fake';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration } from '../partner.js';
import { type FitbitFakeHandle, startFake } from './index.js';

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/fitbit/callback';

/** A clock the tests move (the fake's hourly window and token expiry read it). */
const clock = movableClock('2026-03-02T10:59:00Z');

let fake: FitbitFakeHandle;
let resolved: ResolvedPartner;

beforeAll(async () => {
  fake = await startFake({ seed: false, clock });
  resolved = resolveAgainstFake(declaration, fake);
});
afterAll(() => fake.close());

/** Our side of the consent flow: authorize URL with PKCE, the consent page, the code exchange. */
const connect = (user?: string) =>
  connectThroughConsent(resolved, { redirectUri: REDIRECT, ...(user ? { user } : {}) });

function api(token: string, path: string, init: RequestInit & { lang?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (init.lang) headers.set('accept-language', init.lang);
  return fetch(`${fake.url}${path}`, { ...init, headers });
}

describe('OAuth 2.0 with PKCE', () => {
  it('ends with a working API call for the user named in the token response', async () => {
    const tokens = await connect('GGNJL9');
    expect(tokens.externalUserId).toBe('GGNJL9');
    expect(tokens.scope?.split(' ').sort()).toEqual(['activity', 'nutrition', 'profile', 'weight']);
    expect(Math.abs((tokens.expiresAt?.getTime() ?? 0) - (Date.now() + 28_800_000))).toBeLessThan(60_000);
    const res = await api(tokens.accessToken, '/1/user/-/profile.json');
    expect(res.status).toBe(200);
    expect(await jsonObject(res)).toMatchObject({ user: { encodedId: 'GGNJL9', offsetFromUTCMillis: 0 } });
  });

  it('refuses an authorization request without a S256 code challenge', async () => {
    const url = new URL('/oauth2/authorize', fake.url);
    url.search = new URLSearchParams({
      client_id: fake.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'weight',
    }).toString();
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('code_challenge');
  });

  it('refuses a code exchange with the client secret in the body instead of HTTP Basic', async () => {
    const res = await fetch(`${fake.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'x',
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
      }),
    });
    expect(res.status).toBe(401);
    expect(await jsonObject(res)).toEqual({
      errors: [{ errorType: 'invalid_client', message: 'client authentication failed' }],
      success: false,
    });
  });

  it('rotates single-use refresh tokens: the spent one answers invalid_grant in an errors[] body', async () => {
    const first = await connect();
    const second = await oauth2Refresh(resolved, 'oauth2', first.refreshToken ?? '');
    expect(second.refreshToken).toBeDefined();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await api(second.accessToken, '/1/user/-/profile.json')).status).toBe(200);

    const reuse = await fetch(`${fake.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refreshToken ?? '' }),
    });
    expect(reuse.status).toBe(400);
    const body = await jsonObject(reuse);
    expect(body).toMatchObject({ errors: [{ errorType: 'invalid_grant' }], success: false });

    const viaKit = await oauth2Refresh(resolved, 'oauth2', first.refreshToken ?? '').catch((e: unknown) => e);
    expect(viaKit).toBeInstanceOf(PartnerError);
    expect((viaKit as PartnerError).code).toBe('auth_revoked');
    expect((viaKit as PartnerError).message).not.toContain(first.refreshToken ?? '-');

    const third = await oauth2Refresh(resolved, 'oauth2', second.refreshToken ?? '');
    expect((await api(third.accessToken, '/1/user/-/profile.json')).status).toBe(200);
  });

  it('answers an expired access token with 401 expired_token', async () => {
    const tokens = await connect();
    fake.controls.expireAccessTokens(tokens.externalUserId ?? '');
    const res = await api(tokens.accessToken, '/1/user/-/profile.json');
    expect(res.status).toBe(401);
    expect(await jsonObject(res)).toMatchObject({ errors: [{ errorType: 'expired_token' }], success: false });
  });
});

describe('the 150 requests per user and hour bucket', () => {
  it('counts down in Fitbit-Rate-Limit-* headers, answers 429 when spent and resets at the top of the hour', async () => {
    clock.at = new Date('2026-03-02T10:59:00Z');
    const tokens = await connect();
    const other = await connect();
    let last: Response | undefined;
    for (let i = 0; i < 150; i++) {
      last = await api(tokens.accessToken, '/1/user/-/profile.json');
      await last.arrayBuffer();
    }
    expect(last?.status).toBe(200);
    expect(last?.headers.get('fitbit-rate-limit-limit')).toBe('150');
    expect(last?.headers.get('fitbit-rate-limit-remaining')).toBe('0');
    expect(last?.headers.get('fitbit-rate-limit-reset')).toBe('60');

    const over = await api(tokens.accessToken, '/1/user/-/profile.json');
    expect(over.status).toBe(429);
    expect(await jsonObject(over)).toEqual({
      errors: [{ errorType: 'system', message: 'Too Many Requests' }],
      success: false,
    });
    expect(over.headers.get('fitbit-rate-limit-reset')).toBe('60');

    // Per user: another user of the same app still has a full bucket.
    const otherRes = await api(other.accessToken, '/1/user/-/profile.json');
    expect(otherRes.headers.get('fitbit-rate-limit-remaining')).toBe('149');

    clock.at = new Date('2026-03-02T11:00:00Z');
    const after = await api(tokens.accessToken, '/1/user/-/profile.json');
    expect(after.status).toBe(200);
    expect(after.headers.get('fitbit-rate-limit-remaining')).toBe('149');
    expect(after.headers.get('fitbit-rate-limit-reset')).toBe('3600');
  });
});

describe('Accept-Language units', () => {
  it('reads and writes weight in pounds (en_US), stone (en_GB) and kilograms (no header)', async () => {
    const { accessToken } = await connect();
    const created = await api(
      accessToken,
      '/1/user/-/body/log/weight.json?weight=181&date=2026-03-01&time=07:30:00',
      {
        method: 'POST',
        lang: 'en_US',
      },
    );
    expect(created.status).toBe(201);
    expect(await jsonObject(created)).toMatchObject({
      weightLog: { weight: 181, date: '2026-03-01', time: '07:30:00', source: 'API' },
    });

    const read = async (lang?: string) => {
      const res = await api(
        accessToken,
        '/1/user/-/body/log/weight/date/2026-03-01.json',
        lang ? { lang } : {},
      );
      const body = await jsonObject(res);
      return (body.weight as { weight: number }[])[0]?.weight;
    };
    expect(await read()).toBe(82.1);
    expect(await read('en_US')).toBe(181);
    expect(await read('en_GB')).toBe(12.93);
    expect(await read('fr_FR')).toBe(82.1);
  });

  it('writes and reads activity distance in miles under en_US, kilometres otherwise', async () => {
    const { accessToken } = await connect();
    const form = new URLSearchParams({
      activityName: 'Run',
      manualCalories: '300',
      startTime: '07:00',
      durationMillis: '1800000',
      date: '2026-03-01',
      distance: '5',
    });
    const created = await api(accessToken, '/1/user/-/activities.json', {
      method: 'POST',
      body: form,
      lang: 'en_US',
    });
    expect(created.status).toBe(201);
    const list = async (lang?: string) => {
      const res = await api(
        accessToken,
        '/1/user/-/activities/list.json?afterDate=2026-02-28&sort=asc&limit=10',
        lang ? { lang } : {},
      );
      return ((await jsonObject(res)).activities as { distance: number; distanceUnit: string }[])[0];
    };
    expect(await list()).toMatchObject({ distance: 8.047, distanceUnit: 'Kilometer' });
    expect(await list('en_US')).toMatchObject({ distance: 5, distanceUnit: 'Mile' });
  });
});

describe('API conventions', () => {
  it('takes POST parameters from the query string or a form body, and answers errors[] with the field', async () => {
    const { accessToken } = await connect();
    const viaQuery = await api(accessToken, '/1/user/-/body/log/fat.json?fat=21.5&date=2026-03-01', {
      method: 'POST',
    });
    expect(await jsonObject(viaQuery)).toMatchObject({ fatLog: { fat: 21.5, time: '23:59:59' } });
    const viaForm = await api(accessToken, '/1/user/-/body/log/fat.json', {
      method: 'POST',
      body: new URLSearchParams({ fat: '22', date: '2026-03-02', time: '08:00' }),
    });
    expect(viaForm.status).toBe(201);
    const bad = await api(accessToken, '/1/user/-/body/log/fat.json?fat=22', { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(await jsonObject(bad)).toMatchObject({
      errors: [{ errorType: 'validation', fieldName: 'date' }],
      success: false,
    });
  });

  it('gives weight and fat logged at the same moment the same log id, as Fitbit does', async () => {
    const { accessToken } = await connect();
    const w = await jsonObject(
      await api(accessToken, '/1/user/-/body/log/weight.json?weight=70&date=2026-01-05&time=06:00:00', {
        method: 'POST',
      }),
    );
    const f = await jsonObject(
      await api(accessToken, '/1/user/-/body/log/fat.json?fat=20&date=2026-01-05&time=06:00:00', {
        method: 'POST',
      }),
    );
    expect((w.weightLog as { logId: number }).logId).toBe((f.fatLog as { logId: number }).logId);
  });

  it('deletes with 204, then answers 404 not_found; another user path is 403', async () => {
    const { accessToken, externalUserId } = await connect();
    const created = await jsonObject(
      await api(
        accessToken,
        '/1/user/-/foods/log.json?foodName=Soup&calories=120&mealTypeId=3&unitId=304&amount=1.00&date=2026-03-01',
        {
          method: 'POST',
        },
      ),
    );
    const logId = (created.foodLog as { logId: number }).logId;
    const day = await jsonObject(
      await api(accessToken, `/1/user/${externalUserId}/foods/log/date/2026-03-01.json`),
    );
    expect(day).toMatchObject({
      foods: [{ logId, loggedFood: { name: 'Soup', calories: 120, mealTypeId: 3 } }],
      summary: { calories: 120 },
    });
    expect((await api(accessToken, `/1/user/-/foods/log/${logId}.json`, { method: 'DELETE' })).status).toBe(
      204,
    );
    const again = await api(accessToken, `/1/user/-/foods/log/${logId}.json`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await jsonObject(again)).toMatchObject({ errors: [{ errorType: 'not_found' }] });
    expect((await api(accessToken, '/1/user/ZZZZZZ/profile.json')).status).toBe(403);
  });

  it('pages the activity list through pagination.next until it is empty', async () => {
    const { accessToken, externalUserId = '' } = await connect();
    for (let i = 0; i < 230; i++) {
      const day = `2026-01-${String(1 + Math.floor(i / 10)).padStart(2, '0')}`;
      fake.data.activities.insert(externalUserId, {
        activityId: 90013,
        activityName: 'Walk',
        calories: 100 + i,
        durationMs: 600_000,
        start: `${day}T${String(8 + (i % 10)).padStart(2, '0')}:00:00`,
        logType: 'manual',
      });
    }
    let url: string = '/1/user/-/activities/list.json?afterDate=2025-12-31&sort=asc&limit=100';
    const sizes: number[] = [];
    const calories: number[] = [];
    for (let guard = 0; guard < 10 && url; guard++) {
      const page = await jsonObject(await api(accessToken, url.replace(fake.url, '')));
      const activities = page.activities as { calories: number }[];
      sizes.push(activities.length);
      calories.push(...activities.map((a) => a.calories));
      url = (page.pagination as { next: string }).next;
      if (url) expect(url.startsWith(`${fake.url}/1/user/-/activities/list.json?`)).toBe(true);
    }
    expect(sizes).toEqual([100, 100, 30]);
    expect(url).toBe('');
    expect(calories).toEqual([...Array(230).keys()].map((i) => 100 + i));
  });
});

describe('Subscriptions API and signed notifications', () => {
  let receiver: Listening;
  const received: { status: number; kinds: unknown }[] = [];
  const verifyCode = 'subscriber-verification-code';

  beforeAll(async () => {
    // Our side of the webhook, built only from the declaration (as the auth service does).
    const app = express();
    app.use(...fakeBodyParsers());
    app.all('/v1/webhooks/fitbit', (req, res) => {
      const webhook = declaration.webhook;
      const request = webhookRequestOf(req);
      const ctx = { clientSecret: fake.clientSecret, verifyToken: verifyCode };
      const handshake = webhook.handshake?.(request, ctx);
      if (handshake) return void res.status(handshake.status).end();
      const ok = webhook.verify(request, ctx);
      const answer = ok ? webhook.accepted : webhook.rejected;
      received.push({ status: answer.status, kinds: ok ? webhook.parse(request) : undefined });
      res.status(answer.status).end();
    });
    receiver = await listen(app);
  });
  afterAll(() => receiver.close());

  it('verifies the subscriber (204 for the code, 404 for a wrong one) and registers subscriptions 201/200/409', async () => {
    expect(await fake.addSubscriber(`${receiver.url}/v1/webhooks/fitbit`, verifyCode)).toEqual({
      verified: true,
      statuses: [204, 404],
    });
    const { accessToken } = await connect('SUBSC1');
    const create = (path: string) => api(accessToken, path, { method: 'POST' });
    const first = await create('/1/user/-/body/apiSubscriptions/u42-body.json');
    expect(first.status).toBe(201);
    expect(await jsonObject(first)).toEqual({
      collectionType: 'body',
      ownerId: 'SUBSC1',
      ownerType: 'user',
      subscriberId: '1',
      subscriptionId: 'u42-body',
    });
    expect((await create('/1/user/-/body/apiSubscriptions/u42-body.json')).status).toBe(200);
    expect((await create('/1/user/-/body/apiSubscriptions/other-id.json')).status).toBe(409);
    expect((await create('/1/user/-/foods/apiSubscriptions/u42-body.json')).status).toBe(409);
    expect((await create('/1/user/-/foods/apiSubscriptions/u42-foods.json')).status).toBe(201);
    expect((await create('/1/user/-/sleep/apiSubscriptions/u42-sleep.json')).status).toBe(403);
    const list = await jsonObject(await api(accessToken, '/1/user/-/apiSubscriptions.json'));
    expect((list.apiSubscriptions as unknown[]).length).toBe(2);
  });

  it('delivers a signed JSON array that our verifier accepts (204), and a tampered copy is rejected (404)', async () => {
    received.length = 0;
    const [delivery] = await fake.notify('SUBSC1', 'body', '2026-03-01');
    expect(delivery?.ok).toBe(true);
    expect(delivery?.attempts[0]?.status).toBe(204);
    expect(JSON.parse(delivery?.body ?? '')).toEqual([
      {
        collectionType: 'body',
        date: '2026-03-01',
        ownerId: 'SUBSC1',
        ownerType: 'user',
        subscriptionId: 'u42-body',
      },
    ]);
    expect(received).toEqual([
      { status: 204, kinds: [{ externalUserId: 'SUBSC1', kinds: ['measurement'] }] },
    ]);

    const tampered = await fetch(`${receiver.url}/v1/webhooks/fitbit`, {
      method: 'POST',
      headers: delivery?.headers ?? {},
      body: (delivery?.body ?? '').replace('SUBSC1', 'OTHER1'),
    });
    expect(tampered.status).toBe(404);
    const unsigned = await fetch(`${receiver.url}/v1/webhooks/fitbit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: delivery?.body ?? '',
    });
    expect(unsigned.status).toBe(404);
  });

  it('notifies nobody for a collection the user is not subscribed to', async () => {
    expect(await fake.notify('SUBSC1', 'activities')).toEqual([]);
  });

  it('builds signed notifications for the conformance suite', () => {
    const req = fake.controls.notification?.('SUBSC1', 'food');
    expect(req && declaration.webhook.verify(req, { clientSecret: fake.clientSecret })).toBe(true);
    expect(req && declaration.webhook.parse(req)).toEqual([{ externalUserId: 'SUBSC1', kinds: ['food'] }]);
  });
});
