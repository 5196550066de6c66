import {
  budgetOptionsFor,
  createDevPartnerEnv,
  createMemoryRateBudget,
  createPartnerHttp,
  decodeCursor,
  type Exercise,
  type Food,
  isPartnerError,
  type Measurement,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2FetchExternalUserId,
  oauth2Revoke,
  type PartnerError,
  pollAll,
  type ResolvedPartner,
  type ResourceContext,
  randomState,
  resolvePartnerConfig,
} from '@healthsync/partner-kit';
import { submitConsent } from '@healthsync/partner-kit/fake';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  formatLocalTime,
  type RunKeeperFakeHandle,
  type RunKeeperFakeOptions,
  startFake,
} from './fake/index.js';
import { api, declaration } from './index.js';

// The module against the RunKeeper fake over real HTTP: OAuth, the kit's HTTP client, our resources.

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/runkeeper/callback';
const fakes: RunKeeperFakeHandle[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

interface Connected {
  fake: RunKeeperFakeHandle;
  resolved: ResolvedPartner;
  accessToken: string;
  userId: string;
  ctx: (now?: Date) => ResourceContext;
}

/** Start a fake, connect a user through the consent page, and build what the sync worker would. */
async function connect(options: RunKeeperFakeOptions = {}): Promise<Connected> {
  const fake = await startFake({ redirectUris: [REDIRECT], ...options });
  fakes.push(fake);
  const resolved = resolvePartnerConfig(declaration, createDevPartnerEnv(declaration, fake.url, fake));
  const state = randomState();
  const url = oauth2AuthorizeUrl(resolved, 'oauth2', { redirectUri: REDIRECT, state });
  const callbackUrl = await submitConsent(url);
  const tokens = await oauth2ExchangeCode(resolved, 'oauth2', {
    callbackUrl,
    expectedState: state,
    redirectUri: REDIRECT,
  });
  const http = createPartnerHttp({
    api,
    resolved,
    credentials: async () => ({ kind: 'oauth2', generation: 'oauth2', accessToken: tokens.accessToken }),
    budget: createMemoryRateBudget(budgetOptionsFor(declaration)),
    userKey: 'app-user-1',
    maxRetries: 0,
  });
  const user = await http.request({
    method: 'GET',
    path: '/user',
    headers: { accept: 'application/vnd.com.runkeeper.User+json' },
  });
  const userId = String(z.object({ userID: z.number() }).parse(user.body).userID);
  // The token response names no user; the declared identity endpoint does, as the auth service asks it.
  expect(tokens.externalUserId).toBeUndefined();
  expect(await oauth2FetchExternalUserId(resolved, 'oauth2', tokens.accessToken)).toBe(userId);
  return {
    fake,
    resolved,
    accessToken: tokens.accessToken,
    userId,
    ctx: (now = new Date()) => ({ http, externalUserId: userId, generation: 'oauth2', now }),
  };
}

async function rejection(p: Promise<unknown>): Promise<PartnerError> {
  try {
    await p;
  } catch (e) {
    if (isPartnerError(e)) return e;
    throw e;
  }
  throw new Error('expected a PartnerError');
}

const run: Exercise = {
  kind: 'exercise',
  activityType: 'running',
  name: 'Lunch run',
  startedAt: '2026-11-20T12:10:00+00:00',
  utcOffsetMinutes: 0,
  durationSeconds: 1800,
  calories: 330,
  distanceMeters: 5200,
};

describe('RunKeeper module against its fake', () => {
  it('connects through OAuth (no scope, no expiry, no refresh) and the first call polls the demo history', async () => {
    const c = await connect({ seed: 3 });
    const ctx = c.ctx();
    const exercises = await pollAll(api.resources.exercise, ctx, undefined);
    expect(exercises.rejected).toEqual([]);
    expect(exercises.items).toHaveLength(15);
    expect(exercises.items[0]?.externalId).toMatch(/^\/fitnessActivities\/\d+$/);
    const measurements = await pollAll(api.resources.measurement, ctx, undefined);
    expect(measurements.items.filter((i) => i.data.type === 'weight')).toHaveLength(10);
    expect(measurements.items.filter((i) => i.data.type === 'body_fat')).toHaveLength(10);
    const food = await pollAll(api.resources.food, ctx, undefined);
    expect(food.items).toHaveLength(8);
    expect(food.items.every((i) => i.data.calories > 0)).toBe(true);
  });

  it('discovers resource paths from /user instead of assuming them', async () => {
    const c = await connect({
      demoData: false,
      paths: { fitness_activities: '/v2/activities', weight: '/v2/weights', nutrition: '/v2/meals' },
    });
    const created = await api.resources.exercise.create!(c.ctx(), run);
    expect(created.externalId).toMatch(/^\/v2\/activities\/\d+$/);
    const polled = await pollAll(api.resources.exercise, c.ctx(), undefined);
    expect(polled.items.map((i) => i.externalId)).toEqual([created.externalId]);
    const food = await api.resources.food.create!(c.ctx(), {
      kind: 'food',
      name: 'Porridge',
      meal: 'breakfast',
      consumedAt: '2026-11-20T07:00:00+00:00',
      utcOffsetMinutes: 0,
      calories: 350,
    });
    expect(food.externalId).toMatch(/^\/v2\/meals\/\d+$/);
  });

  it('speaks the vendor media types (a plain JSON Accept is refused by the partner)', async () => {
    const c = await connect({ seed: 4 });
    const refused = await rejection(c.ctx().http.request({ method: 'GET', path: '/fitnessActivities' }));
    expect(refused.code).toBe('invalid_data');
    expect(refused.details.status).toBe(406);
    const page = await api.resources.exercise.poll!(c.ctx(), undefined);
    expect(page.items.length).toBeGreaterThan(0);
  });

  it('follows next links until the last page, then polls incrementally by modification day', async () => {
    const c = await connect({ demoData: false });
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    for (let i = 0; i < 60; i++) {
      c.fake.data.fitness_activities.insert(
        c.userId,
        {
          type: 'Walking',
          start_time: formatLocalTime(Date.UTC(2026, 9, 1, 7) + i * 86_400_000),
          duration: 1200,
          total_calories: 90,
          source: 'RunKeeper',
        },
        { at: tenDaysAgo },
      );
    }
    const first = await pollAll(api.resources.exercise, c.ctx(), undefined);
    expect(first.pages).toBe(3);
    expect(first.items).toHaveLength(60);
    expect(new Set(first.items.map((i) => i.externalId)).size).toBe(60);
    const cursor = decodeCursor(first.cursor, z.object({ since: z.string(), next: z.string().optional() }));
    expect(cursor?.next).toBeUndefined();
    expect(cursor?.since).toBe(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));

    const created = await api.resources.exercise.create!(c.ctx(), run);
    const second = await pollAll(api.resources.exercise, c.ctx(), first.cursor);
    expect(second.pages).toBe(1);
    expect(second.items.map((i) => i.externalId)).toEqual([created.externalId]);
  });

  it('creates with 201 + Location (the id), updates with PUT and deletes with DELETE', async () => {
    const c = await connect({ demoData: false });
    const ctx = c.ctx();
    const { externalId } = await api.resources.exercise.create!(ctx, run);
    expect(externalId).toMatch(/^\/fitnessActivities\/\d+$/);
    const stored = c.fake.data.fitness_activities.get(c.userId, externalId.split('/').pop() ?? '');
    expect(stored?.data).toMatchObject({
      type: 'Running',
      start_time: 'Fri, 20 Nov 2026 12:10:00',
      duration: 1800,
      total_calories: 330,
    });

    const [polled] = (await pollAll(api.resources.exercise, ctx, undefined)).items;
    expect(polled).toEqual({ externalId, data: run });

    await api.resources.exercise.update!(ctx, externalId, { ...run, calories: 360, name: 'Long lunch run' });
    const [updated] = (await pollAll(api.resources.exercise, ctx, undefined)).items;
    expect(updated?.data).toMatchObject({ calories: 360, name: 'Long lunch run' });

    await api.resources.exercise.delete!(ctx, externalId);
    expect((await pollAll(api.resources.exercise, ctx, undefined)).items).toEqual([]);
    expect((await rejection(api.resources.exercise.delete!(ctx, externalId))).code).toBe('not_found');
  });

  it('keeps the other half of a weight set when one measurement is updated or deleted', async () => {
    const c = await connect({ demoData: false });
    const ctx = c.ctx();
    const set = c.fake.data.weight.insert(c.userId, {
      timestamp: 'Mon, 16 Nov 2026 07:00:00',
      weight: 82,
      fat_percent: 22.5,
      source: 'RunKeeper',
    });
    const ids = { weight: `/weight/${set.id}#weight`, fat: `/weight/${set.id}#body_fat` };
    const weight: Measurement = {
      kind: 'measurement',
      type: 'weight',
      value: 81.2,
      unit: 'kg',
      measuredAt: '2026-11-16T07:00:00+00:00',
      utcOffsetMinutes: 0,
    };
    await api.resources.measurement.update!(ctx, ids.weight, weight);
    expect(c.fake.data.weight.get(c.userId, set.id)?.data).toMatchObject({ weight: 81.2, fat_percent: 22.5 });

    await api.resources.measurement.delete!(ctx, ids.weight);
    const rest = c.fake.data.weight.get(c.userId, set.id)?.data;
    expect(rest).toMatchObject({ fat_percent: 22.5 });
    expect(rest?.weight).toBeUndefined();
    await api.resources.measurement.delete!(ctx, ids.fat);
    expect(c.fake.data.weight.get(c.userId, set.id)).toBeUndefined();

    const created = await api.resources.measurement.create!(ctx, {
      ...weight,
      type: 'body_fat',
      value: 21,
      unit: '%',
    });
    expect(created.externalId).toMatch(/^\/weight\/\d+#body_fat$/);
  });

  it('pushes food with calories and refuses what a nutrition set cannot hold', async () => {
    const c = await connect({ demoData: false });
    const food: Food = {
      kind: 'food',
      name: 'Soup',
      meal: 'lunch',
      consumedAt: '2026-11-20T12:00:00+01:00',
      utcOffsetMinutes: 60,
      calories: 420,
      proteinGrams: 18,
    };
    const { externalId } = await api.resources.food.create!(c.ctx(), food);
    expect(c.fake.data.nutrition.get(c.userId, externalId.split('/').pop() ?? '')?.data).toMatchObject({
      timestamp: 'Fri, 20 Nov 2026 12:00:00',
      calories: 420,
      protein: 18,
    });
    const waist: Measurement = {
      kind: 'measurement',
      type: 'waist',
      value: 80,
      unit: 'cm',
      measuredAt: '2026-11-20T07:00:00+00:00',
      utcOffsetMinutes: 0,
    };
    expect((await rejection(api.resources.measurement.create!(c.ctx(), waist))).code).toBe('invalid_data');
  });

  it('turns a 429 whose text names the wait into rate_limited with that retry time', async () => {
    const c = await connect({ seed: 5 });
    c.fake.controls.rateLimitNext(3600);
    const before = Date.now();
    const error = await rejection(api.resources.exercise.poll!(c.ctx(), undefined));
    expect(error.code).toBe('rate_limited');
    const retryAt = error.details.retryAt?.getTime() ?? 0;
    expect(retryAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_600_000 - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it('de-authorizes on disconnect: the token stops working', async () => {
    const c = await connect({ seed: 6 });
    expect(await oauth2Revoke(c.resolved, 'oauth2', c.accessToken)).toBe(true);
    expect((await rejection(api.resources.exercise.poll!(c.ctx(), undefined))).code).toBe('auth_revoked');
  });
});
