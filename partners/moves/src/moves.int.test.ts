import {
  budgetOptionsFor,
  createDevPartnerEnv,
  createMemoryRateBudget,
  createPartnerHttp,
  decodeCursor,
  isPartnerError,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2Refresh,
  type PartnerError,
  type PartnerHttp,
  pollAll,
  type ResolvedPartner,
  type ResourceContext,
  randomState,
  resolvePartnerConfig,
  type TokenSet,
  type WebhookNotification,
  type WebhookSpec,
} from '@healthsync/partner-kit';
import { type FakeClock, listen, submitConsent } from '@healthsync/partner-kit/fake';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  addDays,
  dayAt,
  type MovesFakeHandle,
  type MovesFakeOptions,
  movesTime,
  startFake,
} from './fake/index.js';
import { api, declaration } from './index.js';

// The module against the Moves fake over real HTTP: OAuth with rotation, the kit's HTTP client,
// backfill and updatedSince polls, per-app rate limits, signed notifications.

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/moves/callback';
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

/** A clock the fake reads (token expiry, updatedSince, rate windows); tests move it. */
function manualClock(start = Date.parse('2026-11-23T10:00:00Z')) {
  let t = start;
  const clock: FakeClock = { now: () => new Date(t) };
  return { clock, advance: (ms: number) => (t += ms), now: () => new Date(t) };
}

interface Connected {
  fake: MovesFakeHandle;
  resolved: ResolvedPartner;
  tokens: TokenSet;
  http: (accessToken?: string, withBudget?: boolean) => PartnerHttp;
  ctx: (now?: Date) => ResourceContext;
}

async function connect(options: MovesFakeOptions = {}, user?: string): Promise<Connected> {
  const fake = await startFake({ redirectUris: [REDIRECT], ...options });
  closers.push(() => fake.close());
  const resolved = resolvePartnerConfig(declaration, createDevPartnerEnv(declaration, fake.url, fake));
  const state = randomState();
  const callbackUrl = await submitConsent(
    oauth2AuthorizeUrl(resolved, 'oauth2', { redirectUri: REDIRECT, state }),
    user ? { user } : {},
  );
  const tokens = await oauth2ExchangeCode(resolved, 'oauth2', {
    callbackUrl,
    expectedState: state,
    redirectUri: REDIRECT,
  });
  const http = (accessToken = tokens.accessToken, withBudget = true) =>
    createPartnerHttp({
      api,
      resolved,
      credentials: async () => ({ kind: 'oauth2', generation: 'oauth2', accessToken }),
      ...(withBudget
        ? { budget: createMemoryRateBudget(budgetOptionsFor(declaration, { maxWaitMs: 0 })) }
        : {}),
      userKey: 'app-user-1',
      maxRetries: 0,
    });
  const shared = http();
  return {
    fake,
    resolved,
    tokens,
    http,
    ctx: (now = new Date()) => ({
      http: shared,
      externalUserId: tokens.externalUserId ?? '',
      generation: 'oauth2',
      now,
    }),
  };
}

async function rejection(p: Promise<unknown>): Promise<PartnerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (isPartnerError(e)) return e;
  throw new Error(`expected a PartnerError, got ${String(e)}`);
}

const Cursor = z.object({ phase: z.string(), since: z.string().optional(), from: z.string().optional() });

describe('Moves module against its fake', () => {
  it('connects (scopes activity location, ~6-month token, refresh token, user id) and backfills the demo storyline', async () => {
    const c = await connect({ seed: 2 });
    expect(c.tokens.scope).toBe('activity location');
    expect(c.tokens.refreshToken).toBeDefined();
    expect((c.tokens.expiresAt?.getTime() ?? 0) - Date.now()).toBeGreaterThan(179 * 86_400_000);
    expect(c.tokens.externalUserId).toMatch(/^\d+$/);
    const all = await pollAll(api.resources.exercise, c.ctx(), undefined);
    expect(all.rejected).toEqual([]);
    // 30 days of walks to the station plus a run every third day; commutes are not exercise.
    expect(all.items).toHaveLength(40);
    expect(all.items.every((i) => i.data.calories !== undefined && i.externalVersion !== undefined)).toBe(
      true,
    );
    expect(decodeCursor(all.cursor, Cursor)?.phase).toBe('incremental');
  });

  it('backfills from the first day in 31-day ranges, then polls what was updated since', async () => {
    const time = manualClock();
    const c = await connect({ demoData: false, clock: time.clock });
    const user = c.tokens.externalUserId ?? '';
    const today = dayAt(time.now().getTime(), 7200);
    const runOn = (date: string, minutes: number) => {
      const start = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T18:00:00Z`);
      const [startTime, endTime] = [movesTime(start, 7200), movesTime(start + minutes * 60_000, 7200)];
      const run = {
        activity: 'running',
        group: 'running',
        manual: false,
        startTime,
        endTime,
        duration: minutes * 60,
        calories: minutes * 11,
      };
      return {
        date,
        segments: [
          { type: 'move' as const, startTime, endTime, activities: [run], lastUpdate: '20261123T080000Z' },
        ],
      };
    };
    for (let back = 1; back <= 71; back += 10) c.fake.putDay(user, runOn(addDays(today, -back), 30));

    time.advance(3600_000);
    const first = await pollAll(api.resources.exercise, c.ctx(time.now()), undefined);
    expect(first.pages).toBe(3);
    expect(first.items).toHaveLength(8);

    time.advance(3600_000);
    c.fake.putDay(user, runOn(addDays(today, -11), 45));
    time.advance(3600_000);
    const second = await pollAll(api.resources.exercise, c.ctx(time.now()), first.cursor);
    expect(second.pages).toBe(1);
    expect(second.items.map((i) => i.data.durationSeconds)).toEqual([45 * 60]);

    time.advance(3600_000);
    const third = await pollAll(api.resources.exercise, c.ctx(time.now()), second.cursor);
    expect(third.items).toEqual([]);
  });

  it('rotates refresh tokens: the new pair works, the spent refresh token is refused', async () => {
    const c = await connect({ seed: 3 });
    const old = c.tokens.refreshToken ?? '';
    const next = await oauth2Refresh(c.resolved, 'oauth2', old);
    expect(next.refreshToken).toBeDefined();
    expect(next.refreshToken).not.toBe(old);
    expect(next.accessToken).not.toBe(c.tokens.accessToken);
    const profile = await c.http(next.accessToken).request({ method: 'GET', path: '/user/profile' });
    expect(profile.status).toBe(200);
    expect((await rejection(oauth2Refresh(c.resolved, 'oauth2', old))).code).toBe('auth_revoked');
    const again = await oauth2Refresh(c.resolved, 'oauth2', next.refreshToken ?? '');
    expect(again.refreshToken).not.toBe(next.refreshToken);
  });

  it('reports the per-app quota in X-RateLimit-* headers and answers 429 when it is spent', async () => {
    const time = manualClock();
    const c = await connect({ seed: 4, clock: time.clock, minuteLimit: 3 });
    const http = c.http(undefined, false);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await http.request({ method: 'GET', path: '/user/profile' });
      remaining.push(res.headers['x-ratelimit-minuteremaining'] ?? '');
      expect(res.headers['x-ratelimit-hourlimit']).toBe('2000');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const before = Date.now();
    const limited = await rejection(http.request({ method: 'GET', path: '/user/profile' }));
    expect(limited.code).toBe('rate_limited');
    expect(limited.details.status).toBe(429);
    const retryAt = limited.details.retryAt?.getTime() ?? 0;
    expect(retryAt % 60_000).toBe(0);
    expect(retryAt).toBeGreaterThan(before - 1000);
    expect(retryAt).toBeLessThanOrEqual(before + 61_000);
  });

  it('with the shared budget, a spent quota stops calls before Moves has to refuse them', async () => {
    const time = manualClock();
    const c = await connect({ seed: 5, clock: time.clock, minuteLimit: 2 });
    const http = c.http();
    await http.request({ method: 'GET', path: '/user/profile' });
    const last = await http.request({ method: 'GET', path: '/user/profile' });
    expect(last.headers['x-ratelimit-minuteremaining']).toBe('0');
    const refused = await rejection(http.request({ method: 'GET', path: '/user/profile' }));
    expect(refused.code).toBe('rate_limited');
    expect(refused.details.status).toBeUndefined();
  });

  it('accepts signed storyline notifications and rejects tampered or foreign ones', async () => {
    const c = await connect({ seed: 6 });
    const user = c.tokens.externalUserId ?? '';
    const received: WebhookNotification[] = [];
    const spec: WebhookSpec = declaration.webhook;
    // What the auth service does with POST /v1/webhooks/moves: verify the raw bytes, then parse.
    const app = express();
    app.post('/v1/webhooks/moves', express.raw({ type: '*/*' }), (req, res) => {
      const request = {
        method: req.method,
        query: {},
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
        ),
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      };
      const answer = spec.verify(request, { clientSecret: c.fake.clientSecret })
        ? spec.accepted
        : spec.rejected;
      if (answer === spec.accepted) received.push(...spec.parse(request));
      res.status(answer.status).send(answer.body ?? '');
    });
    const receiver = await listen(app);
    closers.push(() => receiver.close());
    const url = `${receiver.url}/v1/webhooks/moves`;

    const delivery = await c.fake.notify(url, user, [
      {
        reason: 'DataUpload',
        startTime: '20261122T000000Z',
        endTime: '20261122T120000Z',
        lastSegmentType: 'move',
        lastSegmentStartTime: '20261122T100000Z',
      },
      { reason: 'Edit', startTime: '20261121T000000Z', endTime: '20261121T235959Z' },
    ]);
    expect(delivery.ok).toBe(true);
    expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
    expect(received).toEqual([{ externalUserId: user, kinds: ['exercise'] }]);

    const genuine = c.fake.controls.notification?.(user, 'exercise');
    if (!genuine) throw new Error('the fake builds no notifications');
    const post = (body: Buffer | string, headers = genuine.headers) =>
      fetch(url, {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined),
        ),
        body,
      });
    expect((await post(genuine.rawBody.toString().replace(`"userId":${user}`, '"userId":1'))).status).toBe(
      401,
    );
    expect((await post(genuine.rawBody, { ...genuine.headers, 'x-moves-timestamp': '1' })).status).toBe(401);
    const { 'x-moves-signature': _gone, ...unsigned } = genuine.headers;
    expect((await post(genuine.rawBody, unsigned)).status).toBe(401);
    expect(received).toHaveLength(1);
    expect((await post(genuine.rawBody)).status).toBe(200);
    expect(received).toHaveLength(2);
  });
});
