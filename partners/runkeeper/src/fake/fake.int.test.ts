import { oauth2AuthorizeUrl, oauth2ExchangeCode, oauth2Revoke, randomState } from '@healthsync/partner-kit';
import { connectThroughConsent, resolveAgainstFake, submitConsent } from '@healthsync/partner-kit/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration } from '../partner.js';
import { type RunKeeperFakeHandle, startFake, vnd } from './index.js';

// The fake itself, over real HTTP, as RunKeeper's clients see it.

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/runkeeper/callback';
let fake: RunKeeperFakeHandle;
let token: string;
let userId: string;

const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${fake.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

beforeAll(async () => {
  fake = await startFake({ seed: 7, redirectUris: [REDIRECT] });
  const resolved = resolveAgainstFake(declaration, fake);
  const tokens = await connectThroughConsent(resolved, { redirectUri: REDIRECT });
  expect(tokens.refreshToken).toBeUndefined();
  expect(tokens.expiresAt).toBeUndefined();
  token = tokens.accessToken;
  const user = await call('/user', { headers: { accept: vnd('User') } });
  userId = String(((await user.json()) as { userID: number }).userID);
});
afterAll(() => fake.close());

describe('RunKeeper fake', () => {
  it('asks for no scope and issues a token that never expires and cannot be refreshed', async () => {
    const url = new URL(
      oauth2AuthorizeUrl(resolveAgainstFake(declaration, fake), 'oauth2', {
        redirectUri: REDIRECT,
        state: 's',
      }),
    );
    expect(url.searchParams.has('scope')).toBe(false);
    const res = await fetch(`${fake.url}/apps/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
      }),
    });
    expect(res.status).toBe(400);
  });

  it('serves /user with the resource paths and the vendor media type', async () => {
    const res = await call('/user', { headers: { accept: vnd('User') } });
    expect(res.headers.get('content-type')).toContain(vnd('User'));
    expect(await res.json()).toMatchObject({
      fitness_activities: '/fitnessActivities',
      weight: '/weight',
      nutrition: '/nutrition',
    });
  });

  it('refuses a wrong Accept with 406 and a wrong Content-Type with 415, in plain text', async () => {
    const wrongAccept = await call('/fitnessActivities', { headers: { accept: 'application/json' } });
    expect(wrongAccept.status).toBe(406);
    expect(wrongAccept.headers.get('content-type')).toContain('text/plain');
    const wrongType = await call('/weight', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timestamp: 'Sat, 1 Jan 2011 07:30:00', weight: 80 }),
    });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.text()).toMatch(/NewWeightSet/);
    // Both naming generations are accepted.
    expect((await call('/weight', { headers: { accept: vnd('WeightFeed') } })).status).toBe(200);
  });

  it('pages feeds newest first with previous/next links until the last page', async () => {
    const first = (await (
      await call('/weight?pageSize=4', { headers: { accept: vnd('WeightSetFeed') } })
    ).json()) as {
      size: number;
      items: { timestamp: string }[];
      next?: string;
      previous?: string;
    };
    expect(first.size).toBe(10);
    expect(first.items).toHaveLength(4);
    expect(first.previous).toBeUndefined();
    expect(Date.parse(`${first.items[0]?.timestamp} GMT`)).toBeGreaterThan(
      Date.parse(`${first.items[3]?.timestamp} GMT`),
    );
    const last = (await (
      await call('/weight?pageSize=4&page=2', { headers: { accept: vnd('WeightSetFeed') } })
    ).json()) as typeof first;
    expect(last.items).toHaveLength(2);
    expect(last.next).toBeUndefined();
    expect(last.previous).toBe('/weight?page=1&pageSize=4');
  });

  it('creates with 201 + Location, updates with PUT, deletes with 204, and filters by modification day', async () => {
    const created = await call('/nutrition', {
      method: 'POST',
      headers: { 'content-type': vnd('NewNutritionSet') },
      body: JSON.stringify({ timestamp: 'Sun, 12 May 2013 00:02:00', calories: 300 }),
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(/^\/nutrition\/\d+$/);
    const put = await call(location, {
      method: 'PUT',
      headers: { 'content-type': vnd('NutritionSet') },
      body: JSON.stringify({ timestamp: 'Sun, 12 May 2013 00:02:00', calories: 320 }),
    });
    expect(await put.json()).toMatchObject({ calories: 320, uri: location });
    const today = new Date().toISOString().slice(0, 10);
    const modified = (await (
      await call(`/nutrition?modifiedNoEarlierThan=${today}`, {
        headers: { accept: vnd('NutritionSetFeed') },
      })
    ).json()) as {
      items: { uri: string }[];
    };
    expect(modified.items.map((i) => i.uri)).toContain(location);
    expect((await call(location, { method: 'DELETE' })).status).toBe(204);
    expect((await call(location, { headers: { accept: vnd('NutritionSet') } })).status).toBe(404);
  });

  it('refuses a nutrition set without calories with a text 400', async () => {
    const res = await call('/nutrition', {
      method: 'POST',
      headers: { 'content-type': vnd('NewNutritionSet') },
      body: JSON.stringify({ timestamp: 'Sun, 12 May 2013 00:02:00' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/calories/);
  });

  it('rate limits with a 429 whose text names the wait', async () => {
    fake.controls.rateLimitNext(900);
    const res = await call('/user', { headers: { accept: vnd('User') } });
    expect(res.status).toBe(429);
    expect(await res.text()).toBe('Rate limit exceeded for user. Try again in 15 minutes.');
  });

  it('de-authorizes: the token stops working', async () => {
    const resolved = resolveAgainstFake(declaration, fake);
    const state = randomState();
    const callbackUrl = await submitConsent(
      oauth2AuthorizeUrl(resolved, 'oauth2', { redirectUri: REDIRECT, state }),
      { user: userId },
    );
    const second = await oauth2ExchangeCode(resolved, 'oauth2', {
      callbackUrl,
      expectedState: state,
      redirectUri: REDIRECT,
    });
    expect(await oauth2Revoke(resolved, 'oauth2', second.accessToken)).toBe(true);
    const res = await fetch(`${fake.url}/user`, {
      headers: { authorization: `Bearer ${second.accessToken}` },
    });
    expect(res.status).toBe(401);
  });
});
