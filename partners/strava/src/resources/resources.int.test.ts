import {
  Exercise,
  Measurement,
  oauth2Refresh,
  PartnerError,
  pollAll,
  type ResolvedPartner,
} from '@healthsync/partner-kit';
import { connectedContext, resolveAgainstFake } from '@healthsync/partner-kit/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../api.js';
import { type StravaFakeHandle, startFake } from '../fake/index.js';
import { declaration } from '../partner.js';
import { exercise } from './exercise.js';
import { measurement } from './measurement.js';

// The resources against the fake, through the kit's signed client and rate budget.
const REDIRECT = 'http://127.0.0.1:9/v1/oauth/strava/callback';
let fake: StravaFakeHandle;
let resolved: ResolvedPartner;

beforeAll(async () => {
  fake = await startFake({ seed: false });
  resolved = resolveAgainstFake(declaration, fake);
});
afterAll(() => fake.close());

async function connect(target = fake, config = resolved) {
  const ctx = await connectedContext(api, config, { redirectUri: REDIRECT });
  expect(target.data.athletes.has(ctx.externalUserId)).toBe(true);
  return ctx;
}

const hourAgo = () => new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000).toISOString();

describe('exercise', () => {
  it('creates an activity, updates its name and sport type, and polls the update back', async () => {
    const ctx = await connect();
    const run = Exercise.parse({
      kind: 'exercise',
      activityType: 'running',
      name: 'Tempo',
      startedAt: hourAgo(),
      utcOffsetMinutes: 0,
      durationSeconds: 2400,
      calories: 410,
      distanceMeters: 8000,
    });
    const created = await exercise.create?.(ctx, run);
    const updated = await exercise.update?.(ctx, created?.externalId ?? '', {
      ...run,
      name: 'Tempo (rainy)',
      activityType: 'hiking',
    });
    expect(updated?.externalId).toBe(created?.externalId);
    const all = await pollAll(exercise, ctx, undefined);
    expect(all.items.map((i) => [i.externalId, i.data])).toEqual([
      [
        created?.externalId,
        expect.objectContaining({
          name: 'Tempo (rainy)',
          activityType: 'hiking',
          durationSeconds: 2400,
          distanceMeters: 8000,
        }),
      ],
    ]);
    // The stored cursor starts after that activity: the next poll reads nothing again.
    expect((await pollAll(exercise, ctx, all.cursor)).items).toEqual([]);
  });
});

describe('measurement', () => {
  it('reads the profile weight once, recognises our own push by id, and refuses an old reading', async () => {
    const ctx = await connect();
    Object.assign(fake.data.athlete(ctx.externalUserId), {
      weight: 80.4,
      updatedAt: new Date(Date.now() - 86_400_000),
    });
    const first = await measurement.poll?.(ctx, undefined);
    expect(first?.items.map((i) => i.data)).toEqual([
      expect.objectContaining({ type: 'weight', value: 80.4, unit: 'kg' }),
    ]);
    expect((await measurement.poll?.(ctx, first?.nextCursor))?.items).toEqual([]);

    const reading = Measurement.parse({
      kind: 'measurement',
      type: 'weight',
      value: 79.9,
      unit: 'kg',
      measuredAt: hourAgo(),
      utcOffsetMinutes: 0,
    });
    const pushed = await measurement.create?.(ctx, reading);
    const after = await measurement.poll?.(ctx, first?.nextCursor);
    expect(after?.items.map((i) => [i.externalId, i.data.kind === 'measurement' && i.data.value])).toEqual([
      [pushed?.externalId, 79.9],
    ]);

    const old = { ...reading, measuredAt: new Date(Date.now() - 10 * 86_400_000).toISOString() };
    await expect(measurement.create?.(ctx, old)).rejects.toMatchObject({ code: 'invalid_data' });
    expect(fake.data.athlete(ctx.externalUserId).weight).toBe(79.9);
  });
});

describe('errors', () => {
  it("a 400 Strava refuses is invalid_data naming the call and each listed error's resource, field and code", async () => {
    const ctx = await connect();
    const error = await ctx.http
      .request({ method: 'POST', path: '/activities', form: { name: 'No sport' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartnerError);
    expect((error as PartnerError).code).toBe('invalid_data');
    expect((error as PartnerError).message).toBe(
      'strava POST /api/v3/activities: HTTP 400: resource=Activity field=sport_type code=missing',
    );
  });
});

describe('token refresh', () => {
  it('a spent refresh token (Strava rotates them) is auth_revoked, named by its listed error', async () => {
    const ctx = await connect();
    const spent = ctx.tokens.refreshToken ?? '';
    const fresh = await oauth2Refresh(resolved, 'oauth2', spent);
    expect(fresh.refreshToken).not.toBe(spent);
    const error = await oauth2Refresh(resolved, 'oauth2', spent).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartnerError);
    expect((error as PartnerError).code).toBe('auth_revoked');
    expect((error as PartnerError).message).toBe(
      'strava refresh: invalid_grant (resource=RefreshToken field=refresh_token code=invalid)',
    );
  });
});

describe('rate limit', () => {
  it('a 429 over the read window is rate_limited until the next quarter hour', async () => {
    const tight = await startFake({ seed: false, limits: { read: [3, 1000] } });
    try {
      const ctx = await connect(tight, resolveAgainstFake(declaration, tight));
      await measurement.poll?.(ctx, undefined);
      await measurement.poll?.(ctx, undefined);
      await measurement.poll?.(ctx, undefined);
      const e = await measurement.poll?.(ctx, undefined).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(PartnerError);
      expect((e as PartnerError).code).toBe('rate_limited');
      const quarter = Math.ceil(Date.now() / 900_000) * 900_000;
      expect(Math.abs(((e as PartnerError).details.retryAt?.getTime() ?? 0) - quarter)).toBeLessThan(5000);
    } finally {
      await tight.close();
    }
  });
});
