import {
  Measurement,
  PartnerError,
  pollAll,
  type ResolvedPartner,
  type ResourceContext,
} from '@healthsync/partner-kit';
import { connectedContext, resolveAgainstFake } from '@healthsync/partner-kit/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../api.js';
import { addDays, type FitbitFakeHandle, localDateTime, startFake } from '../fake/index.js';
import { declaration } from '../partner.js';
import { exercise } from './exercise.js';
import { food } from './food.js';
import { measurement } from './measurement.js';

// The resources against the fake, through the kit's signed client and rate budget.
const REDIRECT = 'http://127.0.0.1:9/v1/oauth/fitbit/callback';
let fake: FitbitFakeHandle;
let resolved: ResolvedPartner;

beforeAll(async () => {
  fake = await startFake({ seed: false, hourlyLimit: 20 });
  resolved = resolveAgainstFake(declaration, fake);
});
afterAll(() => fake.close());

const connect = () => connectedContext(api, resolved, { redirectUri: REDIRECT });

const today = (ctx: ResourceContext) =>
  localDateTime(new Date(), fake.data.profile(ctx.externalUserId).offsetMinutes).slice(0, 10);

describe('measurement', () => {
  it('reads an Aria weigh-in as two readings, weight:<id> and fat:<id>, in metric units', async () => {
    const ctx = await connect();
    fake.data.profile(ctx.externalUserId).offsetMinutes = 330;
    const date = addDays(today(ctx), -2);
    const id = fake.data.addBody(fake.data.weight, ctx.externalUserId, {
      date,
      time: '07:10:00',
      value: 82.1,
      source: 'Aria',
    });
    fake.data.addBody(fake.data.fat, ctx.externalUserId, {
      date,
      time: '07:10:00',
      value: 24.5,
      source: 'Aria',
    });
    const page = await measurement.poll?.(ctx, undefined);
    expect(page?.rejected).toEqual([]);
    expect(page?.items.map((i) => [i.externalId, i.data])).toEqual([
      [
        `weight:${id}`,
        expect.objectContaining({
          type: 'weight',
          value: 82.1,
          unit: 'kg',
          measuredAt: `${date}T07:10:00+05:30`,
        }),
      ],
      [
        `fat:${id}`,
        expect.objectContaining({ type: 'body_fat', value: 24.5, unit: '%', utcOffsetMinutes: 330 }),
      ],
    ]);
    expect(page?.nextCursor).toBe(today(ctx));
  });

  it('pushes and deletes a weight; deleting it again is not an error; height is refused', async () => {
    const ctx = await connect();
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const weight = Measurement.parse({
      kind: 'measurement',
      type: 'weight',
      value: 77.7,
      unit: 'kg',
      measuredAt: at,
      utcOffsetMinutes: 0,
    });
    const pushed = await measurement.create?.(ctx, weight);
    expect(pushed?.externalId).toMatch(/^weight:\d+$/);
    expect(fake.data.weight.list(ctx.externalUserId).map((i) => i.data.value)).toEqual([77.7]);
    await measurement.delete?.(ctx, pushed?.externalId ?? '');
    await measurement.delete?.(ctx, pushed?.externalId ?? '');
    expect(fake.data.weight.list(ctx.externalUserId)).toEqual([]);
    const height = Measurement.parse({
      kind: 'measurement',
      type: 'height',
      value: 180,
      unit: 'cm',
      measuredAt: at,
      utcOffsetMinutes: 0,
    });
    await expect(measurement.create?.(ctx, height)).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'not sendable to Fitbit: its logs hold weight and body fat only, not height',
    });
  });
});

describe('exercise', () => {
  it('resumes from its cursor: only the re-read window comes back, and a new activity arrives', async () => {
    const ctx = await connect();
    const add = (date: string, name: string) =>
      fake.data.activities.insert(ctx.externalUserId, {
        activityId: 90013,
        activityName: name,
        calories: 150,
        durationMs: 1_200_000,
        start: `${date}T08:00:00`,
        logType: 'manual',
      });
    add(addDays(today(ctx), -20), 'Old walk');
    add(addDays(today(ctx), -1), 'Recent walk');
    const first = await pollAll(exercise, ctx, undefined);
    expect(first.items.map((i) => i.data.kind === 'exercise' && i.data.name)).toEqual([
      'Old walk',
      'Recent walk',
    ]);
    add(today(ctx), 'New walk');
    const second = await pollAll(exercise, ctx, first.cursor);
    expect(second.items.map((i) => i.data.kind === 'exercise' && i.data.name)).toEqual([
      'Recent walk',
      'New walk',
    ]);
  });
});

describe('writes', () => {
  it('refuses, before any call, an exercise without calories and a food with impossible calories', async () => {
    const ctx = await connect();
    const run = {
      kind: 'exercise',
      activityType: 'running',
      name: 'Morning run',
      startedAt: '2024-03-01T06:15:00+01:00',
      utcOffsetMinutes: 60,
      durationSeconds: 2700,
    } as const;
    await expect(exercise.create?.(ctx, run)).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'not sendable to Fitbit: exercise needs calories, or a duration with calories per hour',
    });
    const cake = { kind: 'food', name: 'Cake', meal: 'snack', consumedAt: '2024-03-02T15:00:00Z' } as const;
    await expect(
      food.create?.(ctx, { ...cake, utcOffsetMinutes: 0, calories: 99_999 }),
    ).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringMatching(/^not sendable to Fitbit: food calories 99999 is impossible/),
    });
    expect(fake.data.activities.list(ctx.externalUserId)).toEqual([]);
    expect(fake.data.foods.list(ctx.externalUserId)).toEqual([]);
  });
});

describe('errors', () => {
  it("a 400 Fitbit refuses is invalid_data naming the call and the listed errors' type and field, not their text", async () => {
    const ctx = await connect();
    const error = await ctx.http
      .request({ method: 'POST', path: '/body/log/fat.json', query: { fat: '22' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartnerError);
    expect({ ...(error as PartnerError), message: (error as Error).message }).toMatchObject({
      code: 'invalid_data',
      message: 'fitbit POST /1/user/-/body/log/fat.json: HTTP 400: errorType=validation fieldName=date',
    });
  });
});

describe('rate limit', () => {
  it('follows Fitbit-Rate-Limit-Remaining: once the hour is spent the budget refuses until the top of the hour', async () => {
    const ctx = await connect();
    let error: unknown;
    let calls = 0;
    for (; calls < 25 && !error; calls++)
      await measurement.poll?.(ctx, today(ctx)).catch((e: unknown) => (error = e));
    // 20 an hour (this fake), 3 calls per poll: the 7th poll's last call would be the 21st.
    expect(error).toBeInstanceOf(PartnerError);
    expect((error as PartnerError).code).toBe('rate_limited');
    const topOfHour = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    expect(Math.abs(((error as PartnerError).details.retryAt?.getTime() ?? 0) - topOfHour)).toBeLessThan(
      5000,
    );
    expect(calls).toBe(7);
  });
});
