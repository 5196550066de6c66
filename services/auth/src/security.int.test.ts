import { createHash, randomBytes } from 'node:crypto';
import { ManualClock } from '@healthsync/platform/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acmeSetup,
  beginConnect,
  callback,
  connectThrough,
  consent,
  credentialCount,
  JWT_SECRET,
  outboxEvents,
  RETURN_URL,
  startHarness,
  withingsSetup,
} from './testing/harness.js';

const partners = { acme: acmeSetup(), withings: withingsSetup };
const clock = new ManualClock(new Date());
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;

beforeAll(async () => {
  h = await startHarness({ partners, clock });
});
afterAll(async () => {
  await h?.close();
});

async function pendingCount(): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from auth.pending_authorizations`.execute(h.db);
  return rows[0]?.n ?? 0;
}

function withParam(url: URL, name: string, value: string): URL {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u;
}

describe('state', () => {
  it('a callback without state is refused and stores nothing', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-1', 'acme');
    const back = await consent(authorizeUrl);
    back.searchParams.delete('state');
    const res = await h.api(`${back.pathname}${back.search}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'invalid_state' });
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('a forged state is refused and stores nothing', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-2', 'acme');
    const back = await consent(authorizeUrl);
    const res = await h.api(
      `${back.pathname}${withParam(back, 'state', randomBytes(32).toString('base64url')).search}`,
    );
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_state' });
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('a state is single-use: a replay after a denial stores nothing', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-3', 'acme');
    const good = await consent(authorizeUrl);
    const state = good.searchParams.get('state') ?? '';
    const denied = new URL(good.pathname, good);
    denied.searchParams.set('state', state);
    denied.searchParams.set('error', 'access_denied');
    expect((await callback(h, denied)).status).toBe('denied');
    const replay = await h.api(`${good.pathname}${good.search}`);
    expect(replay.status).toBe(400);
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('a replay of a successful callback changes nothing', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-3b', 'acme');
    const back = await consent(authorizeUrl);
    expect((await callback(h, back)).status).toBe('connected');
    const before = (await outboxEvents(h.db, 'connection.connected')).length;
    const replay = await h.api(`${back.pathname}${back.search}`);
    expect(replay.status).toBe(400);
    expect((await outboxEvents(h.db, 'connection.connected')).length).toBe(before);
    await h.api('/v1/users/sec-3b/connections/acme', {
      method: 'DELETE',
      token: await h.userToken('sec-3b'),
    });
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('two concurrent callbacks with one state: exactly one is served', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-3c', 'acme');
    const back = await consent(authorizeUrl);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.api(`${back.pathname}${back.search}`)),
    );
    expect(results.filter((r) => r.status === 302)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(7);
    await h.api('/v1/users/sec-3c/connections/acme', {
      method: 'DELETE',
      token: await h.userToken('sec-3c'),
    });
  });

  it('an expired state (over 10 minutes) is refused and stores nothing', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-4', 'acme');
    const back = await consent(authorizeUrl);
    clock.advance(10 * 60_000 + 1_000);
    const result = await callback(h, back);
    expect(result.status).toBe('error');
    expect(await credentialCount(h.db)).toBe(0);
    clock.set(new Date());
  });

  it('a state issued for one partner does not complete another', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-5', 'acme');
    const back = await consent(authorizeUrl);
    const res = await h.api(`/v1/oauth/withings/callback${back.search}`);
    expect(res.status).toBe(400);
    expect(await credentialCount(h.db)).toBe(0);
  });
});

describe('PKCE and code binding', () => {
  it('a code issued for a different PKCE challenge fails the exchange and stores nothing', async () => {
    const { authorizeUrl } = await beginConnect(h, 'sec-6', 'acme');
    // An attacker starts the authorization with their own verifier's challenge.
    const attackerVerifier = randomBytes(32).toString('base64url');
    const tampered = new URL(authorizeUrl);
    tampered.searchParams.set(
      'code_challenge',
      createHash('sha256').update(attackerVerifier).digest('base64url'),
    );
    const back = await consent(tampered.toString());
    expect((await callback(h, back)).status).toBe('error');
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('a code from one pending authorization redeemed with another state stores nothing', async () => {
    const a = await beginConnect(h, 'sec-7a', 'acme');
    const b = await beginConnect(h, 'sec-7b', 'acme');
    const backA = await consent(a.authorizeUrl);
    const stateB = new URL(b.authorizeUrl).searchParams.get('state') ?? '';
    const injected = withParam(backA, 'state', stateB);
    expect((await callback(h, injected)).status).toBe('error');
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('an OAuth 1.0a request token from another authorization is refused', async () => {
    const a = await beginConnect(h, 'sec-8a', 'withings', { returnUrl: RETURN_URL, generation: 'oauth1' });
    const b = await beginConnect(h, 'sec-8b', 'withings', { returnUrl: RETURN_URL, generation: 'oauth1' });
    const backA = await consent(a.authorizeUrl, { user: '777' });
    const backB = await consent(b.authorizeUrl, { user: '778' });
    const crossed = withParam(backA, 'state', backB.searchParams.get('state') ?? '');
    expect((await callback(h, crossed)).status).toBe('error');
    expect(await credentialCount(h.db)).toBe(0);
  });
});

describe('return URL allow-list', () => {
  it.each([
    'https://evil.test/settings/partners',
    'https://app.example.test.evil.test/settings/partners',
    'https://app.example.test/settingsX',
    'https://app.example.test/other',
    'https://user@app.example.test/settings/partners',
    'http://app.example.test/settings/partners',
    'javascript:alert(1)',
    '/settings/partners',
  ])('refuses %s before anything is created', async (returnUrl) => {
    const before = await pendingCount();
    const res = await h.api('/v1/users/sec-9/connections/acme', {
      method: 'POST',
      token: await h.userToken('sec-9'),
      json: { returnUrl },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'return_url_not_allowed' });
    expect(await pendingCount()).toBe(before);
    expect(await credentialCount(h.db)).toBe(0);
  });
});

describe('callers', () => {
  it("user A can neither read, change, connect for nor delete user B's connection", async () => {
    expect((await connectThrough(h, 'user-b', 'acme')).status).toBe('connected');
    const tokenA = await h.userToken('user-a');
    const read = await h.api('/v1/users/user-b/connections/acme', { token: tokenA });
    const list = await h.api('/v1/users/user-b/connections', { token: tokenA });
    const patch = await h.api('/v1/users/user-b/connections/acme', {
      method: 'PATCH',
      token: tokenA,
      json: { dataTypes: { poll: [], push: [] } },
    });
    const del = await h.api('/v1/users/user-b/connections/acme', { method: 'DELETE', token: tokenA });
    const start = await h.api('/v1/users/user-b/connections/acme', {
      method: 'POST',
      token: tokenA,
      json: { returnUrl: RETURN_URL },
    });
    for (const r of [read, list, patch, del, start]) {
      expect(r.status).toBe(403);
      expect(r.json()).toMatchObject({ code: 'forbidden' });
    }
    const still = await h.api('/v1/users/user-b/connections/acme', { token: await h.userToken('user-b') });
    expect(still.json()).toMatchObject({ status: 'connected' });
    // A user token never reads credentials.
    const creds = await h.api('/internal/v1/credentials/acme/user-b', {
      method: 'POST',
      token: await h.userToken('user-b'),
      json: {},
    });
    expect(creds.status).toBe(403);
    // A service may act for any user.
    const svc = await h.api('/v1/users/user-b/connections/acme', { token: await h.serviceToken() });
    expect(svc.status).toBe(200);
    await h.api('/v1/users/user-b/connections/acme', {
      method: 'DELETE',
      token: await h.userToken('user-b'),
    });
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('no token, a forged token and an expired token are 401', async () => {
    const none = await h.api('/v1/users/u/connections');
    const forged = await h.api('/v1/users/u/connections', {
      token: await h.userToken('u', { secret: `${JWT_SECRET}-other` }),
    });
    const expired = await h.api('/v1/users/u/connections', {
      token: await h.userToken('u', { expiresInSeconds: -120 }),
    });
    const garbage = await h.api('/v1/users/u/connections', {
      headers: { authorization: 'Bearer not.a.jwt' },
    });
    const internal = await h.api('/internal/v1/credentials/acme/u', { method: 'POST' });
    for (const r of [none, forged, expired, garbage, internal]) {
      expect(r.status).toBe(401);
      expect(r.json()).toMatchObject({ code: 'unauthorized' });
    }
  });
});

describe('bodies', () => {
  it('a malformed JSON body is a 400 problem and creates nothing', async () => {
    const before = await pendingCount();
    const res = await h.api('/v1/users/sec-10/connections/acme', {
      method: 'POST',
      token: await h.userToken('sec-10'),
      body: '{"returnUrl": ',
      contentType: 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await pendingCount()).toBe(before);
  });

  it('an oversize body is a 413 problem and creates nothing', async () => {
    const res = await h.api('/v1/users/sec-11/connections/acme', {
      method: 'POST',
      token: await h.userToken('sec-11'),
      json: { returnUrl: RETURN_URL, padding: 'x'.repeat(200_000) },
    });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payload_too_large' });
    expect(await credentialCount(h.db)).toBe(0);
  });

  it('unknown fields and wrong types are 400 with the reason', async () => {
    const token = await h.userToken('sec-12');
    const extra = await h.api('/v1/users/sec-12/connections/acme', {
      method: 'POST',
      token,
      json: { returnUrl: RETURN_URL, admin: true },
    });
    const wrong = await h.api('/v1/users/sec-12/connections/acme', {
      method: 'POST',
      token,
      json: { returnUrl: 42 },
    });
    const kinds = await h.api('/v1/users/sec-12/connections/acme', {
      method: 'POST',
      token,
      json: { returnUrl: RETURN_URL, dataTypes: { poll: ['sleep'], push: [] } },
    });
    for (const r of [extra, wrong, kinds]) {
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ code: 'invalid_request' });
    }
  });
});

describe('rate limit', () => {
  it('the public API answers 429 problem+json past the per-minute limit', async () => {
    const limited = await startHarness({ partners: { acme: acmeSetup() }, rateLimitPerMinute: 5 });
    try {
      const token = await limited.userToken('rl');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++)
        statuses.push((await limited.api('/v1/users/rl/connections', { token })).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      // Internal and health routes are not counted against the public limit.
      expect((await limited.api('/healthz')).status).toBe(200);
      expect(
        (
          await limited.api('/internal/v1/credentials/acme/rl', {
            method: 'POST',
            token: await limited.serviceToken(),
          })
        ).status,
      ).toBe(404);
    } finally {
      await limited.close();
    }
  });

  it('counts per forwarded client behind a trusted proxy, and ignores X-Forwarded-For otherwise', async () => {
    const count = async (trustProxy?: number) => {
      const h = await startHarness({
        partners: { acme: acmeSetup() },
        rateLimitPerMinute: 3,
        ...(trustProxy !== undefined ? { trustProxy } : {}),
      });
      try {
        const token = await h.userToken('rl');
        const statuses: number[] = [];
        for (const client of ['203.0.113.7', '203.0.113.8'])
          for (let i = 0; i < 3; i++)
            statuses.push(
              (await h.api('/v1/users/rl/connections', { token, headers: { 'x-forwarded-for': client } }))
                .status,
            );
        return statuses;
      } finally {
        await h.close();
      }
    };
    // One load balancer in front: each client has its own budget.
    expect(await count(1)).toEqual([200, 200, 200, 200, 200, 200]);
    // No proxy trusted: the header is the client's own claim; every request counts for the socket.
    expect(await count()).toEqual([200, 200, 200, 429, 429, 429]);
  });
});
