import {
  budgetOptionsFor,
  type Credentials,
  createMemoryRateBudget,
  createPartnerHttp,
  isPartnerError,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2Refresh,
  type PartnerError,
  pollAll,
  type ResolvedPartner,
  type ResourceContext,
  randomState,
  type TokenSet,
} from '@healthsync/partner-kit';
import {
  connectOAuth1ThroughConsent,
  connectThroughConsent,
  resolveAgainstFake,
  submitConsent,
} from '@healthsync/partner-kit/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './api.js';
import { startFake, type WithingsFakeHandle } from './fake/index.js';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/withings/callback';
const OAUTH1_CALLBACK = 'http://127.0.0.1:9/v1/oauth/withings/legacy-callback';

/** The sync worker's view of one connection: the kit's signed client, our credentials. */
function connection(
  resolved: ResolvedPartner,
  externalUserId: string,
  credentials: Credentials,
  refresh?: () => Promise<Credentials>,
) {
  const http = createPartnerHttp({
    api,
    resolved,
    credentials: async () => credentials,
    ...(refresh ? { refreshCredentials: refresh } : {}),
    userKey: externalUserId,
    retryBaseMs: 1,
  });
  const ctx: ResourceContext = { http, externalUserId, generation: credentials.generation, now: new Date() };
  return { http, ctx };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('expected a PartnerError'),
    (e: unknown) => {
      if (!isPartnerError(e)) throw e;
      return e as PartnerError;
    },
  );

/** What the fake holds for a user, as the mapper should import it: weight, fat and height
 * measures of groups not attributed ambiguously. */
function expectedMeasureIds(fake: WithingsFakeHandle, user: string): string[] {
  const groups = fake.store.user(Number(user))?.groups ?? [];
  return groups
    .filter((g) => g.attrib !== 1 && g.attrib !== 4 && g.category === 1)
    .flatMap((g) => g.measures.filter((m) => [1, 4, 6].includes(m.type)).map((m) => `${g.grpid}-${m.type}`))
    .sort();
}

describe('Withings partner against its fake', () => {
  let fake: WithingsFakeHandle;
  let resolved: ResolvedPartner;
  let user: string;

  beforeAll(async () => {
    fake = await startFake({ seed: 3, demoUsers: 2, redirectUris: [REDIRECT] });
    resolved = resolveAgainstFake(declaration, fake);
    user = fake.demoUserIds[0] ?? '';
  });
  afterAll(() => fake.close());

  it('OAuth 2.0: consent, requesttoken envelope, then a working poll', async () => {
    const tokens = await connectThroughConsent(resolved, { redirectUri: REDIRECT, user });
    expect(tokens.externalUserId).toBe(user);
    expect(tokens.scope).toBe('user.info,user.metrics,user.activity');
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt!.getTime() - Date.now()).toBeGreaterThan(10_700_000);
    const { ctx } = connection(resolved, user, {
      kind: 'oauth2',
      generation: 'oauth2',
      accessToken: tokens.accessToken,
    });
    const weights = await pollAll(measurement, ctx, undefined);
    expect(weights.items.map((i) => i.externalId).sort()).toEqual(expectedMeasureIds(fake, user));
    expect(weights.rejected.map((r) => r.reason)).toEqual(['ambiguous device measure (attrib 1)']);
    const height = weights.items.find((i) => i.data.type === 'height');
    expect(height?.data).toMatchObject({ unit: 'cm', utcOffsetMinutes: expect.any(Number) });
    const workouts = await pollAll(exercise, ctx, undefined);
    expect(workouts.items.length).toBe(fake.store.user(Number(user))?.workouts.length);
    expect(workouts.items.every((w) => w.data.calories !== undefined && w.data.durationSeconds > 0)).toBe(
      true,
    );
  });

  it('OAuth 2.0 failures at requesttoken arrive as classified errors', async () => {
    const state = randomState();
    const url = oauth2AuthorizeUrl(resolved, 'oauth2', { redirectUri: REDIRECT, state });
    const callbackUrl = await submitConsent(url, { user });
    const exchange = () =>
      oauth2ExchangeCode(resolved, 'oauth2', { callbackUrl, expectedState: state, redirectUri: REDIRECT });
    await exchange();
    const reused = await failure(exchange());
    expect(reused.code).toBe('auth_revoked');
    expect(reused.message).toBe('withings code exchange: invalid_grant (status 503)');
    const badRefresh = await failure(oauth2Refresh(resolved, 'oauth2', 'not-a-refresh-token'));
    expect(badRefresh.code).toBe('auth_revoked');
    expect(badRefresh.message).not.toContain('not-a-refresh-token');
  });

  it('legacy OAuth 1.0a: query-signed flow, userid from the access token, then a working poll', async () => {
    const other = fake.demoUserIds[1] ?? '';
    const legacy = await connectOAuth1ThroughConsent(resolved, { callbackUrl: OAUTH1_CALLBACK, user: other });
    expect(legacy.externalUserId).toBe(other);
    const creds: Credentials = {
      kind: 'oauth1',
      generation: 'oauth1',
      token: legacy.token,
      tokenSecret: legacy.tokenSecret,
    };
    const { ctx, http } = connection(resolved, other, creds);
    const page = await measurement.poll!(ctx, undefined);
    expect(page.items.length).toBeGreaterThan(10);
    expect(
      page.items.every((i) => i.data.measuredAt.endsWith('-05:00') || i.data.measuredAt.endsWith('-04:00')),
    ).toBe(true);
    // Tokens never expire: expiring the user's OAuth 2.0 tokens leaves the legacy ones working.
    fake.controls.expireAccessTokens(other);
    expect((await exercise.poll!(ctx, undefined)).items.length).toBeGreaterThan(0);
    // Without `userid` the legacy API answers 247, an authentication failure.
    const noUserid = await failure(
      http.request({ method: 'GET', path: '/measure', query: { action: 'getmeas' } }),
    );
    expect(noUserid).toMatchObject({ code: 'auth_revoked', details: { status: 200 } });
    expect(noUserid.message).toBe('withings GET /measure: status 247: Invalid userid');
  });

  it('classifies HTTP 200 answers by the status in the body', async () => {
    const tokens = await connectThroughConsent(resolved, { redirectUri: REDIRECT, user });
    const { http } = connection(resolved, user, {
      kind: 'oauth2',
      generation: 'oauth2',
      accessToken: tokens.accessToken,
    });
    const unknown = await failure(
      http.request({ method: 'GET', path: '/measure', query: { action: 'getmeasures' } }),
    );
    expect(unknown.code).toBe('invalid_data');
    expect(unknown.message).toContain('2554');
    fake.controls.revokeUser(fake.controls.createUser('4242'));
    const tokens2 = await connectThroughConsent(resolved, { redirectUri: REDIRECT, user: '4243' });
    fake.controls.revokeUser('4243');
    const revoked = connection(resolved, '4243', {
      kind: 'oauth2',
      generation: 'oauth2',
      accessToken: tokens2.accessToken,
    });
    const denied = await failure(measurement.poll!(revoked.ctx, undefined));
    expect(denied.code).toBe('auth_revoked');
    expect(denied.message).not.toContain(tokens2.accessToken);
  });

  it('polls incrementally: the stored lastupdate cursor returns only newer groups', async () => {
    const tokens = await connectThroughConsent(resolved, { redirectUri: REDIRECT, user });
    const { ctx } = connection(resolved, user, {
      kind: 'oauth2',
      generation: 'oauth2',
      accessToken: tokens.accessToken,
    });
    const first = await pollAll(measurement, ctx, undefined);
    expect((await pollAll(measurement, ctx, first.cursor)).items).toEqual([]);
    const at = Math.floor(Date.now() / 1000) + 5;
    const added = fake.store.addGroup(Number(user), { date: at - 600, values: { 1: 77.7, 6: 21.3 } }, at);
    const next = await pollAll(measurement, ctx, first.cursor);
    expect(next.items.map((i) => [i.externalId, i.data.value])).toEqual([
      [`${added.grpid}-1`, 77.7],
      [`${added.grpid}-6`, 21.3],
    ]);
    expect(next.items[0]?.externalVersion).toBe(String(at));
    expect((await pollAll(measurement, ctx, next.cursor)).items).toEqual([]);
  });

  it('pages with more/offset until the end, and stores lastupdate only after the last page', async () => {
    const tokens = await connectThroughConsent(resolved, { redirectUri: REDIRECT, user });
    const { ctx } = connection(resolved, user, {
      kind: 'oauth2',
      generation: 'oauth2',
      accessToken: tokens.accessToken,
    });
    const whole = await pollAll(measurement, ctx, undefined);
    const workouts = await pollAll(exercise, ctx, undefined);
    fake.setPageSize(4);
    try {
      const paged = await pollAll(measurement, ctx, undefined);
      expect(paged.pages).toBeGreaterThan(4);
      expect(paged.truncated).toBe(false);
      expect(paged.items.map((i) => i.externalId).sort()).toEqual(
        whole.items.map((i) => i.externalId).sort(),
      );
      expect(paged.cursor).toBe(whole.cursor);
      const pagedWorkouts = await pollAll(exercise, ctx, undefined);
      expect(pagedWorkouts.pages).toBe(Math.ceil(workouts.items.length / 4));
      expect(pagedWorkouts.items.length).toBe(workouts.items.length);
      // A cursor taken mid-way resumes at its offset.
      const one = await measurement.poll!(ctx, undefined);
      expect(one.more).toBe(true);
      expect((await measurement.poll!(ctx, one.nextCursor)).items[0]?.externalId).not.toBe(
        one.items[0]?.externalId,
      );
    } finally {
      fake.setPageSize(200);
    }
  });

  it('refreshes an expired token through the kit client and retries the call', async () => {
    let tokens: TokenSet = await connectThroughConsent(resolved, { redirectUri: REDIRECT, user });
    const refresh = async (): Promise<Credentials> => {
      tokens = await oauth2Refresh(resolved, 'oauth2', tokens.refreshToken ?? '');
      return { kind: 'oauth2', generation: 'oauth2', accessToken: tokens.accessToken };
    };
    const first = tokens.accessToken;
    const { ctx } = connection(
      resolved,
      user,
      { kind: 'oauth2', generation: 'oauth2', accessToken: first },
      refresh,
    );
    fake.controls.expireAccessTokens(user);
    const calls = fake.controls.tokenEndpointCalls();
    const page = await measurement.poll!(ctx, undefined);
    expect(page.items.length).toBeGreaterThan(10);
    expect(fake.controls.tokenEndpointCalls()).toBe(calls + 1);
    expect(tokens.accessToken).not.toBe(first);
  });
});

describe('Withings rate limit through the kit client', () => {
  let fake: WithingsFakeHandle;
  let resolved: ResolvedPartner;
  let creds: Credentials;

  beforeAll(async () => {
    fake = await startFake({ demoUsers: 1, redirectUris: [REDIRECT], pageSize: 1 });
    resolved = resolveAgainstFake(declaration, fake);
    const tokens = await connectThroughConsent(resolved, {
      redirectUri: REDIRECT,
      user: fake.demoUserIds[0] ?? '',
    });
    creds = { kind: 'oauth2', generation: 'oauth2', accessToken: tokens.accessToken };
  });
  afterAll(() => fake.close());

  it('the shared budget keeps us under 120 a minute; without it the fake answers 601 -> rate_limited', async () => {
    const budget = createMemoryRateBudget(budgetOptionsFor(declaration, { maxWaitMs: 0 }));
    const http = createPartnerHttp({ api, resolved, credentials: async () => creds, budget, userKey: 'u1' });
    const get = (h: typeof http) =>
      h.request({ method: 'GET', path: '/measure', query: { action: 'getmeas' } });
    let ok = 0;
    let stoppedByBudget: PartnerError | undefined;
    for (let i = 0; i < 125 && !stoppedByBudget; i++) {
      await get(http).then(
        () => ok++,
        (e: unknown) => {
          if (!isPartnerError(e)) throw e;
          stoppedByBudget = e;
        },
      );
    }
    expect(ok).toBeGreaterThan(100);
    expect(ok).toBeLessThanOrEqual(120);
    expect(stoppedByBudget?.code).toBe('rate_limited');
    expect(stoppedByBudget?.message).not.toContain('601');

    const unguarded = createPartnerHttp({ api, resolved, credentials: async () => creds, userKey: 'u1' });
    const statuses: string[] = [];
    for (let i = ok; i <= 120; i++)
      statuses.push(
        await get(unguarded).then(
          () => 'ok',
          (e: PartnerError) => e.code,
        ),
      );
    expect(statuses.at(-1)).toBe('rate_limited');
    const limited = await failure(get(unguarded));
    expect(limited.message).toMatch(/^withings GET \/measure: status 601: /);
    expect(limited.details.retryAt!.getTime() - Date.now()).toBeGreaterThan(50_000);
  });
});
