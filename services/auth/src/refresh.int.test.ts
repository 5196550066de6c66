import { ManualClock } from '@healthsync/platform/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCredentials } from './crypto/secrets.js';
import { sweepIdle } from './domain/sweep.js';
import {
  acmeSetup,
  connectThrough,
  outboxEvents,
  runkeeperSetup,
  startHarness,
  withingsSetup,
} from './testing/harness.js';

const HOUR = 3600_000;
// The token endpoint answers after 150 ms, so concurrent callers really overlap a refresh.
const partners = { acme: acmeSetup({ delayMs: 150 }), withings: withingsSetup, runkeeper: runkeeperSetup };
const clock = new ManualClock(new Date());
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;

beforeAll(async () => {
  h = await startHarness({ partners, clock, poolSize: 20 });
});
afterAll(async () => {
  await h?.close();
});

async function stored(userId: string, partner: string) {
  const { rows } = await sql<{
    key_id: string;
    sealed: Buffer;
    auth_generation: string;
    epoch: number;
    version: number;
  }>`
    select key_id, sealed, auth_generation, epoch, version from auth.credentials where user_id = ${userId} and partner = ${partner}`.execute(
    h.db,
  );
  const row = rows[0];
  if (!row) throw new Error('no credentials');
  const secrets = openCredentials(
    h.keyRing,
    { keyId: row.key_id, data: row.sealed },
    { userId, partner, authGeneration: row.auth_generation, epoch: row.epoch },
  );
  if (secrets.kind !== 'oauth2') throw new Error('not oauth2');
  return { ...secrets, version: row.version };
}

async function status(userId: string, partner: string): Promise<string | undefined> {
  const { rows } = await sql<{
    status: string;
  }>`select status from auth.connections where user_id = ${userId} and partner = ${partner}`.execute(h.db);
  return rows[0]?.status;
}

const credentials = async (partner: string, userId: string, body: unknown = {}, base?: string) => {
  if (!base)
    return h.api(`/internal/v1/credentials/${partner}/${userId}`, {
      method: 'POST',
      token: await h.serviceToken(),
      json: body,
    });
  const res = await fetch(`${base}/internal/v1/credentials/${partner}/${userId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await h.serviceToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  h.openApi.check({
    method: 'POST',
    path: `/internal/v1/credentials/${partner}/${userId}`,
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: text,
  });
  return { status: res.status, text, json: <T>() => JSON.parse(text) as T };
};

describe('refresh', () => {
  it('200 concurrent requests for an expired connection, over two processes: one token call, one new token for all', async () => {
    expect((await connectThrough(h, 'race', 'acme', { user: 'race-account' })).status).toBe('connected');
    const before = await stored('race', 'acme');
    const other = await h.spawnInstance();
    clock.advance(2 * HOUR);
    const calls = h.fakes.acme.tokenCalls();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        credentials('acme', 'race', {}, i % 2 === 0 ? undefined : other.url),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(200));
    const tokens = new Set(results.map((r) => r.json<{ accessToken: string }>().accessToken));
    expect(tokens.size).toBe(1);
    const [fresh] = [...tokens];
    expect(fresh).not.toBe(before.accessToken);
    expect(h.fakes.acme.tokenCalls() - calls).toBe(1);

    const after = await stored('race', 'acme');
    expect(after.accessToken).toBe(fresh);
    expect(h.fakes.acme.oauth.tokens.authenticate(after.accessToken).ok).toBe(true);
    expect(await status('race', 'acme')).toBe('connected');
    expect((await outboxEvents(h.db, 'connection.needs-reauth')).length).toBe(0);
    // The stored refresh token is the newest one: the single-use rotation accepts it (the old one is spent).
    expect(h.fakes.acme.oauth.tokens.refresh(before.refreshToken ?? '').ok).toBe(false);
    expect(h.fakes.acme.oauth.tokens.refresh(after.refreshToken ?? '').ok).toBe(true);
    // (That spent the stored refresh token: disconnect, so later tests start clean.)
    expect(
      (await h.api('/v1/users/race/connections/acme', { method: 'DELETE', token: await h.userToken('race') }))
        .status,
    ).toBe(204);
  });

  it('a forced refresh (after a 401) refreshes once for concurrent callers, then reuses the fresh token', async () => {
    expect((await connectThrough(h, 'forced', 'acme')).status).toBe('connected');
    clock.advance(60_000);
    const before = await stored('forced', 'acme');
    const calls = h.fakes.acme.tokenCalls();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => credentials('acme', 'forced', { force: true })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.json<{ accessToken: string }>().accessToken)).size).toBe(1);
    expect(h.fakes.acme.tokenCalls() - calls).toBe(1);
    expect((await stored('forced', 'acme')).accessToken).not.toBe(before.accessToken);
    // Right after a refresh, another forced request gets that token rather than a second refresh.
    expect((await credentials('acme', 'forced', { force: true })).status).toBe(200);
    expect(h.fakes.acme.tokenCalls() - calls).toBe(1);
  });

  it('tokens that are still valid are served without a refresh', async () => {
    expect((await connectThrough(h, 'fresh', 'acme')).status).toBe('connected');
    const calls = h.fakes.acme.tokenCalls();
    const res = await credentials('acme', 'fresh');
    expect(res.status).toBe(200);
    expect(h.fakes.acme.tokenCalls()).toBe(calls);
    expect(res.json<{ accessToken: string }>().accessToken).toBe((await stored('fresh', 'acme')).accessToken);
  });

  it('a partner outage keeps serving a still-valid token, and says 503 once it expired; no re-auth', async () => {
    expect((await connectThrough(h, 'outage', 'acme')).status).toBe('connected');
    const before = await stored('outage', 'acme');
    clock.advance(HOUR - 2 * 60_000); // inside the refresh window, not expired
    h.fakes.acme.failTokenNext(1);
    const early = await credentials('acme', 'outage');
    expect(early.status).toBe(200);
    expect(early.json<{ accessToken: string }>().accessToken).toBe(before.accessToken);
    clock.advance(10 * 60_000); // now expired
    h.fakes.acme.failTokenNext(1);
    const late = await credentials('acme', 'outage');
    expect(late.status).toBe(503);
    expect(late.json()).toMatchObject({ code: 'partner_unavailable' });
    expect(late.text.includes(before.accessToken)).toBe(false);
    expect(await status('outage', 'acme')).toBe('connected');
    // The partner is back: the refresh goes through.
    expect((await credentials('acme', 'outage')).status).toBe(200);
  });

  it('needs-reauth only after 3 consecutive refused refreshes, emitted exactly once', async () => {
    expect((await connectThrough(h, 'revoked', 'acme', { user: 'revoked-account' })).status).toBe(
      'connected',
    );
    h.fakes.acme.oauth.revokeUser('revoked-account');
    clock.advance(2 * HOUR);
    const codes: string[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await credentials('acme', 'revoked')).json<{ code: string }>().code);
    expect(codes).toEqual(['auth_revoked', 'auth_revoked', 'auth_revoked']);
    expect(await status('revoked', 'acme')).toBe('needs_reauth');
    const after = await credentials('acme', 'revoked');
    expect(after.status).toBe(409);
    expect(after.json()).toMatchObject({ code: 'needs_reauth' });
    const events = (await outboxEvents(h.db, 'connection.needs-reauth')).filter(
      (e) => e.envelope.payload.userId === 'revoked',
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.routing_key).toBe('connection.needs-reauth.acme');
    const view = await h.api('/v1/users/revoked/connections/acme', { token: await h.userToken('revoked') });
    expect(view.json()).toMatchObject({ status: 'needs_reauth', lastError: { code: 'auth_revoked' } });
    // Reconnecting clears it.
    expect((await connectThrough(h, 'revoked', 'acme', { user: 'revoked-account' })).status).toBe(
      'connected',
    );
    expect((await credentials('acme', 'revoked')).status).toBe(200);
  });

  it('a refused refresh between successes does not accumulate toward re-auth', async () => {
    expect((await connectThrough(h, 'flaky', 'acme', { user: 'flaky-account' })).status).toBe('connected');
    clock.advance(2 * HOUR);
    h.fakes.acme.failTokenNext(1, 503);
    expect((await credentials('acme', 'flaky')).status).toBe(503);
    expect((await credentials('acme', 'flaky')).status).toBe(200);
    const { rows } = await sql<{ auth_failures: number; last_error_code: string | null }>`
      select auth_failures, last_error_code from auth.connections where user_id = 'flaky'`.execute(h.db);
    expect(rows[0]).toEqual({ auth_failures: 0, last_error_code: null });
  });

  it('when a lock expires under a slow refresh, the loser of the rotation re-reads and uses the winner’s token', async () => {
    expect((await connectThrough(h, 'reread', 'acme')).status).toBe('connected');
    // Locks that expire at once: the two processes refresh with the same single-use token.
    const a = await h.spawnInstance({ settings: { lockTtlMs: 1 } });
    const b = await h.spawnInstance({ settings: { lockTtlMs: 1 } });
    clock.advance(2 * HOUR);
    const first = credentials('acme', 'reread', {}, a.url);
    await new Promise((r) => setTimeout(r, 60));
    const second = credentials('acme', 'reread', {}, b.url);
    const [ra, rb] = await Promise.all([first, second]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(ra.json<{ accessToken: string }>().accessToken).toBe(
      rb.json<{ accessToken: string }>().accessToken,
    );
    const { rows } = await sql<{ auth_failures: number; status: string }>`
      select auth_failures, status from auth.connections where user_id = 'reread'`.execute(h.db);
    expect(rows[0]).toEqual({ auth_failures: 0, status: 'connected' });
  });

  it('refreshes Withings through its non-standard token endpoint (action=requesttoken, {status, body})', async () => {
    expect((await connectThrough(h, 'w-refresh', 'withings', { user: '9001' })).status).toBe('connected');
    const before = await stored('w-refresh', 'withings');
    clock.advance(4 * HOUR);
    const res = await credentials('withings', 'w-refresh');
    expect(res.status).toBe(200);
    const after = await stored('w-refresh', 'withings');
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(res.json()).toMatchObject({ accessToken: after.accessToken, externalUserId: '9001' });
  });

  it('a forced refresh of a partner without refresh tokens (RunKeeper) is auth_revoked', async () => {
    expect((await connectThrough(h, 'rk', 'runkeeper')).status).toBe('connected');
    expect((await credentials('runkeeper', 'rk')).status).toBe(200);
    const forced = await credentials('runkeeper', 'rk', { force: true });
    expect(forced.status).toBe(409);
    expect(forced.json()).toMatchObject({ code: 'auth_revoked' });
  });

  it('the idle sweep refreshes tokens not refreshed for 30 days, and only those', async () => {
    expect((await connectThrough(h, 'idle', 'acme')).status).toBe('connected');
    const before = await stored('idle', 'acme');
    // Everything else connected here has been refreshed recently or is in another state.
    clock.advance(31 * 24 * HOUR);
    expect((await connectThrough(h, 'recent', 'acme')).status).toBe('connected');
    const recent = await stored('recent', 'acme');
    const stats = await sweepIdle(h.auth.ctx);
    expect(stats.failed).toBe(0);
    expect(stats.refreshed).toBeGreaterThanOrEqual(1);
    expect((await stored('idle', 'acme')).refreshToken).not.toBe(before.refreshToken);
    expect((await stored('recent', 'acme')).version).toBe(recent.version);
    const again = await sweepIdle(h.auth.ctx);
    expect(again.refreshed).toBe(0);
  });
});
