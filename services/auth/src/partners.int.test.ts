import { ManualClock } from '@healthsync/platform/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectThrough,
  fitbitSetup,
  movesSetup,
  outboxEvents,
  runkeeperSetup,
  startHarness,
  stravaSetup,
  WEBHOOK_VERIFY_TOKEN,
  withingsSetup,
} from './testing/harness.js';

// Every installed partner's own fake, over real HTTP: connect, store, refresh, notify, disconnect.
const partners = {
  withings: withingsSetup,
  fitbit: fitbitSetup,
  runkeeper: runkeeperSetup,
  moves: movesSetup,
  strava: stravaSetup,
};
const clock = new ManualClock(new Date());
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;

beforeAll(async () => {
  h = await startHarness({ partners, clock });
});
afterAll(async () => {
  await h?.close();
});

interface Creds {
  accessToken: string;
  tokenSecret?: string;
  expiresAt: string | null;
  generation: string;
  externalUserId: string | null;
}

async function creds(partner: string, userId: string, body: unknown = {}) {
  const res = await h.api(`/internal/v1/credentials/${partner}/${userId}`, {
    method: 'POST',
    token: await h.serviceToken(),
    json: body,
  });
  return {
    status: res.status,
    body: res.status === 200 ? res.json<Creds>() : undefined,
    problem: res.status === 200 ? undefined : res.json<{ code: string }>(),
  };
}

async function sealedBytes(userId: string, partner: string): Promise<Buffer | undefined> {
  const { rows } = await sql<{
    sealed: Buffer;
  }>`select sealed from auth.credentials where user_id = ${userId} and partner = ${partner}`.execute(h.db);
  return rows[0]?.sealed;
}

// Every partner names the account: in its token response, or (RunKeeper) through its declared /user identity call.
const cases = [
  { partner: 'withings', generation: undefined, refreshable: true, namesAccount: true },
  { partner: 'withings', generation: 'oauth1', refreshable: false, namesAccount: true },
  { partner: 'fitbit', generation: undefined, refreshable: true, namesAccount: true },
  { partner: 'runkeeper', generation: undefined, refreshable: false, namesAccount: true },
  { partner: 'moves', generation: undefined, refreshable: true, namesAccount: true },
  { partner: 'strava', generation: undefined, refreshable: true, namesAccount: true },
] as const;

describe.each(cases)('$partner ($generation)', ({ partner, generation, refreshable, namesAccount }) => {
  const userId = `all-${partner}-${generation ?? 'current'}`;

  it('connects through consent and the callback; credentials are stored encrypted and listed', async () => {
    const result = await connectThrough(h, userId, partner, generation ? { generation } : {});
    expect(result.status).toBe('connected');
    const got = await creds(partner, userId);
    expect(got.status).toBe(200);
    const token = got.body?.accessToken ?? '';
    expect(token.length).toBeGreaterThan(8);
    if (namesAccount) expect(got.body?.externalUserId).toMatch(/^\w+$/);
    else expect(got.body?.externalUserId).toBeNull();
    expect((await sealedBytes(userId, partner))?.includes(Buffer.from(token))).toBe(false);
    const list = await h.api(`/v1/users/${userId}/connections`, { token: await h.userToken(userId) });
    expect(list.json()).toMatchObject({
      connections: [
        {
          partner,
          status: 'connected',
          generation: generation ?? 'oauth2',
          externalUserId: got.body?.externalUserId,
        },
      ],
    });
  });

  it(
    refreshable
      ? 'refreshes at the partner on a forced refresh'
      : 'says auth_revoked on a forced refresh (nothing to refresh with)',
    async () => {
      clock.advance(60_000);
      const before = await creds(partner, userId);
      const forced = await creds(partner, userId, { force: true });
      if (refreshable) {
        expect(forced.status).toBe(200);
        expect(forced.body?.accessToken).not.toBe(before.body?.accessToken);
        // And the new token is what is served next.
        expect((await creds(partner, userId)).body?.accessToken).toBe(forced.body?.accessToken);
      } else {
        expect(forced.status).toBe(409);
        expect(forced.problem?.code).toBe('auth_revoked');
      }
    },
  );
});

describe('partner notifications from the fakes', () => {
  const notified = async (userId: string) =>
    (await outboxEvents(h.db, 'partner.notified')).filter((e) => e.envelope.payload.userId === userId);

  it('Fitbit: the subscriber verification passes, a subscription notifies, the event names the user', async () => {
    const userId = 'all-fitbit-current';
    const check = await h.fakes.fitbit.addSubscriber(`${h.url}/v1/webhooks/fitbit`, WEBHOOK_VERIFY_TOKEN);
    expect(check.verified).toBe(true);
    const c = await creds('fitbit', userId);
    const sub = await fetch(`${h.fakes.fitbit.url}/1/user/-/body/apiSubscriptions/${userId}-body.json`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.body?.accessToken}` },
    });
    expect([200, 201]).toContain(sub.status);
    const deliveries = await h.fakes.fitbit.notify(c.body?.externalUserId ?? '', 'body');
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.ok)).toBe(true);
    expect((await notified(userId)).map((e) => e.envelope.payload.kinds)).toEqual([['measurement']]);
  });

  it('Strava: the hub.challenge handshake passes, an activity event notifies', async () => {
    const userId = 'all-strava-current';
    const form = new URLSearchParams({
      client_id: h.env.PARTNER_STRAVA_CLIENT_ID ?? '',
      client_secret: h.env.PARTNER_STRAVA_CLIENT_SECRET ?? '',
      callback_url: `${h.url}/v1/webhooks/strava`,
      verify_token: WEBHOOK_VERIFY_TOKEN,
    });
    const created = await fetch(`${h.fakes.strava.url}/api/v3/push_subscriptions`, {
      method: 'POST',
      body: form,
    });
    expect(created.status).toBeLessThan(300);
    expect(h.fakes.strava.subscription()).toBeDefined();
    const c = await creds('strava', userId);
    const delivery = await h.fakes.strava.sendEvent({
      object_type: 'activity',
      object_id: 77,
      aspect_type: 'create',
      owner_id: Number(c.body?.externalUserId),
    });
    expect(delivery?.ok).toBe(true);
    expect((await notified(userId)).map((e) => e.envelope.payload.kinds)).toEqual([['exercise']]);
  });

  it('Moves: a signed storyline notification notifies; a tampered one is rejected with no event', async () => {
    const userId = 'all-moves-current';
    const c = await creds('moves', userId);
    const delivery = await h.fakes.moves.notify(`${h.url}/v1/webhooks/moves`, c.body?.externalUserId ?? '');
    expect(delivery.ok).toBe(true);
    expect((await notified(userId)).map((e) => e.envelope.payload.kinds)).toEqual([['exercise']]);
    const before = (await outboxEvents(h.db)).length;
    const tampered = await fetch(`${h.url}/v1/webhooks/moves`, {
      method: 'POST',
      headers: { ...delivery.headers, 'content-type': 'application/json' },
      body: delivery.body.replace(/"userId":\d+/, '"userId":1'),
    });
    expect(tampered.status).toBeGreaterThanOrEqual(400);
    expect((await outboxEvents(h.db)).length).toBe(before);
  });
});

describe('refresh race against the Fitbit fake (single-use rotating refresh tokens)', () => {
  it('200 concurrent requests for an expired connection make one token call and all get the new token', async () => {
    expect((await connectThrough(h, 'race-fitbit', 'fitbit')).status).toBe('connected');
    const before = await creds('fitbit', 'race-fitbit');
    clock.advance(9 * 3600_000); // Fitbit access tokens live 8 hours
    const calls = h.fakes.fitbit.controls.tokenEndpointCalls();
    const all = await Promise.all(Array.from({ length: 200 }, () => creds('fitbit', 'race-fitbit')));
    expect(all.every((r) => r.status === 200)).toBe(true);
    const tokens = new Set(all.map((r) => r.body?.accessToken));
    expect(tokens.size).toBe(1);
    expect(tokens.has(before.body?.accessToken)).toBe(false);
    expect(h.fakes.fitbit.controls.tokenEndpointCalls() - calls).toBe(1);
    // The token works at the partner.
    const profile = await fetch(`${h.fakes.fitbit.url}/1/user/-/profile.json`, {
      headers: { authorization: `Bearer ${[...tokens][0]}` },
    });
    expect(profile.status).toBe(200);
    const { rows } = await sql<{ status: string; auth_failures: number }>`
      select status, auth_failures from auth.connections where user_id = 'race-fitbit'`.execute(h.db);
    expect(rows[0]).toEqual({ status: 'connected', auth_failures: 0 });
  });
});

describe('disconnect at every partner', () => {
  it.each(cases)(
    '$partner ($generation): revokes where the partner can and deletes the credentials',
    async ({ partner, generation }) => {
      const userId = `all-${partner}-${generation ?? 'current'}`;
      const res = await h.api(`/v1/users/${userId}/connections/${partner}`, {
        method: 'DELETE',
        token: await h.userToken(userId),
      });
      expect(res.status).toBe(204);
      expect(await sealedBytes(userId, partner)).toBeUndefined();
      expect((await creds(partner, userId)).status).toBe(404);
    },
  );
});
