import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCredentials } from './crypto/secrets.js';
import {
  acmeSetup,
  connectThrough,
  credentialCount,
  outboxEvents,
  RETURN_URL,
  runkeeperSetup,
  startHarness,
  withingsSetup,
} from './testing/harness.js';

const partners = { acme: acmeSetup(), withings: withingsSetup, runkeeper: runkeeperSetup };
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;

beforeAll(async () => {
  h = await startHarness({ partners });
});
afterAll(async () => {
  await h?.close();
});

async function storedSecrets(userId: string, partner: string) {
  const { rows } = await sql<{ key_id: string; sealed: Buffer; auth_generation: string; epoch: number }>`
    select key_id, sealed, auth_generation, epoch from auth.credentials where user_id = ${userId} and partner = ${partner}`.execute(
    h.db,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    row,
    secrets: openCredentials(
      h.keyRing,
      { keyId: row.key_id, data: row.sealed },
      { userId, partner, authGeneration: row.auth_generation, epoch: row.epoch },
    ),
  };
}

describe('connect end to end over real HTTP', () => {
  it('connects a plain OAuth 2.0 partner with PKCE: credentials stored encrypted, connection listed, event emitted', async () => {
    const result = await connectThrough(h, 'user-1', 'acme', { user: 'acme-account-1' });
    expect(result.status).toBe('connected');
    expect(result.returnLocation.startsWith(`${RETURN_URL}?`)).toBe(true);

    const stored = await storedSecrets('user-1', 'acme');
    expect(stored?.secrets.kind).toBe('oauth2');
    if (stored?.secrets.kind !== 'oauth2') throw new Error('unreachable');
    // The access token works at the partner, and it is not stored in clear.
    expect(h.fakes.acme.oauth.tokens.authenticate(stored.secrets.accessToken).ok).toBe(true);
    expect(stored.row.sealed.includes(Buffer.from(stored.secrets.accessToken))).toBe(false);

    const list = await h.api('/v1/users/user-1/connections', { token: await h.userToken('user-1') });
    expect(list.status).toBe(200);
    const { connections } = list.json<{
      connections: { partner: string; status: string; externalUserId: string }[];
    }>();
    expect(connections).toMatchObject([
      { partner: 'acme', status: 'connected', externalUserId: 'acme-account-1' },
    ]);

    const events = await outboxEvents(h.db, 'connection.connected');
    expect(events.at(-1)).toMatchObject({
      routing_key: 'connection.connected.acme',
      envelope: {
        payload: {
          userId: 'user-1',
          partner: 'acme',
          externalUserId: 'acme-account-1',
          reconnect: false,
          accountChanged: false,
        },
      },
    });
  });

  it('connects Withings with the current OAuth 2.0 generation (non-standard token envelope)', async () => {
    const result = await connectThrough(h, 'user-w2', 'withings', { user: '4242' });
    expect(result.status).toBe('connected');
    const stored = await storedSecrets('user-w2', 'withings');
    expect(stored?.row.auth_generation).toBe('oauth2');
    const got = await h.api('/v1/users/user-w2/connections/withings', {
      token: await h.userToken('user-w2'),
    });
    expect(got.json()).toMatchObject({ status: 'connected', generation: 'oauth2', externalUserId: '4242' });
    const creds = await h.api('/internal/v1/credentials/withings/user-w2', {
      method: 'POST',
      token: await h.serviceToken(),
      json: {},
    });
    expect(creds.status).toBe(200);
    expect(creds.json()).toMatchObject({ generation: 'oauth2', externalUserId: '4242' });
  });

  it('connects Withings with the legacy OAuth 1.0a generation (request token, authorize, verifier)', async () => {
    const result = await connectThrough(h, 'user-w1', 'withings', { user: '5151', generation: 'oauth1' });
    expect(result.status).toBe('connected');
    const stored = await storedSecrets('user-w1', 'withings');
    expect(stored?.row.auth_generation).toBe('oauth1');
    expect(stored?.secrets.kind).toBe('oauth1');
    const creds = await h.api('/internal/v1/credentials/withings/user-w1', {
      method: 'POST',
      token: await h.serviceToken(),
    });
    expect(creds.status).toBe(200);
    const body = creds.json<{
      accessToken: string;
      tokenSecret: string;
      generation: string;
      externalUserId: string;
      expiresAt: null;
    }>();
    expect(body).toMatchObject({ generation: 'oauth1', externalUserId: '5151', expiresAt: null });
    expect(body.tokenSecret.length).toBeGreaterThan(0);
    // No pending authorization (and so no request-token secret) is left behind.
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from auth.pending_authorizations where user_id = 'user-w1'`.execute(h.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('connects RunKeeper (tokens that never expire, no refresh)', async () => {
    const result = await connectThrough(h, 'user-rk', 'runkeeper');
    expect(result.status).toBe('connected');
    const creds = await h.api('/internal/v1/credentials/runkeeper/user-rk', {
      method: 'POST',
      token: await h.serviceToken(),
      json: {},
    });
    expect(creds.json()).toMatchObject({ expiresAt: null, generation: 'oauth2' });
    // RunKeeper's token response names no account: the declared /user identity lookup does.
    const conn = await sql<{ external_user_id: string | null }>`
      select external_user_id from auth.connections where user_id = 'user-rk' and partner = 'runkeeper'`.execute(
      h.db,
    );
    expect(conn.rows[0]?.external_user_id).toMatch(/^\d+$/);
  });

  it('a denied consent sends the browser back with status=denied and stores nothing', async () => {
    const before = await credentialCount(h.db);
    const { beginConnect, consent, callback } = await import('./testing/harness.js');
    const { authorizeUrl } = await beginConnect(h, 'user-deny', 'acme');
    const back = await consent(authorizeUrl, { decision: 'deny' });
    expect((await callback(h, back)).status).toBe('denied');
    const { authorizeUrl: url1 } = await beginConnect(h, 'user-deny', 'withings', {
      returnUrl: RETURN_URL,
      generation: 'oauth1',
    });
    expect((await callback(h, await consent(url1, { decision: 'deny' }))).status).toBe('denied');
    expect(await credentialCount(h.db)).toBe(before);
  });

  it('reconnecting the same account is a reconnect; a different account says accountChanged', async () => {
    expect((await connectThrough(h, 'user-re', 'acme', { user: 'acct-a' })).status).toBe('connected');
    const del = await h.api('/v1/users/user-re/connections/acme', {
      method: 'DELETE',
      token: await h.userToken('user-re'),
    });
    expect(del.status).toBe(204);
    expect(await storedSecrets('user-re', 'acme')).toBeUndefined();
    expect((await connectThrough(h, 'user-re', 'acme', { user: 'acct-a' })).status).toBe('connected');
    expect((await connectThrough(h, 'user-re', 'acme', { user: 'acct-b' })).status).toBe('connected');
    const connected = (await outboxEvents(h.db, 'connection.connected')).filter(
      (e) => e.envelope.payload.userId === 'user-re',
    );
    expect(connected.map((e) => [e.envelope.payload.reconnect, e.envelope.payload.accountChanged])).toEqual([
      [false, false],
      [true, false],
      [true, true],
    ]);
    const disconnected = (await outboxEvents(h.db, 'connection.disconnected')).filter(
      (e) => e.envelope.payload.userId === 'user-re',
    );
    expect(disconnected).toHaveLength(1);
  });

  it('disconnect revokes at the partner and deletes the credentials', async () => {
    expect((await connectThrough(h, 'user-rv', 'acme', { user: 'acct-rv' })).status).toBe('connected');
    const stored = await storedSecrets('user-rv', 'acme');
    if (stored?.secrets.kind !== 'oauth2') throw new Error('not stored');
    const res = await h.api('/v1/users/user-rv/connections/acme', {
      method: 'DELETE',
      token: await h.userToken('user-rv'),
    });
    expect(res.status).toBe(204);
    expect(await storedSecrets('user-rv', 'acme')).toBeUndefined();
    expect(h.fakes.acme.oauth.tokens.authenticate(stored.secrets.accessToken).ok).toBe(false);
    const after = await h.api('/v1/users/user-rv/connections/acme', { token: await h.userToken('user-rv') });
    expect(after.json()).toMatchObject({ status: 'disconnected' });
    const again = await h.api('/v1/users/user-rv/connections/acme', {
      method: 'DELETE',
      token: await h.userToken('user-rv'),
    });
    expect(again.status).toBe(404);
    const creds = await h.api('/internal/v1/credentials/acme/user-rv', {
      method: 'POST',
      token: await h.serviceToken(),
      json: {},
    });
    expect(creds.status).toBe(404);
  });

  it('changing data types emits preferences-changed once, and rejects kinds the partner cannot serve', async () => {
    expect((await connectThrough(h, 'user-pref', 'acme')).status).toBe('connected');
    const token = await h.userToken('user-pref');
    const body = { dataTypes: { poll: ['exercise'], push: ['measurement'] } };
    const first = await h.api('/v1/users/user-pref/connections/acme', { method: 'PATCH', token, json: body });
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ dataTypes: { poll: ['exercise'], push: ['measurement'] } });
    expect(
      (await h.api('/v1/users/user-pref/connections/acme', { method: 'PATCH', token, json: body })).status,
    ).toBe(200);
    const events = (await outboxEvents(h.db, 'connection.preferences-changed')).filter(
      (e) => e.envelope.payload.userId === 'user-pref',
    );
    expect(events).toHaveLength(1);
    const bad = await h.api('/v1/users/user-pref/connections/acme', {
      method: 'PATCH',
      token,
      json: { dataTypes: { poll: [], push: ['food'] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'unsupported_data_type' });
  });

  it('lists the installed partners with their auth kinds and data types', async () => {
    const res = await h.api('/v1/partners', { token: await h.userToken('anyone') });
    expect(res.status).toBe(200);
    const { partners: list } = res.json<{
      partners: { id: string; auth: { generations: { name: string; kind: string }[] } }[];
    }>();
    expect(list.map((p) => p.id).sort()).toEqual(['acme', 'runkeeper', 'withings']);
    expect(
      list
        .find((p) => p.id === 'withings')
        ?.auth.generations.map((g) => g.kind)
        .sort(),
    ).toEqual(['oauth1', 'oauth2']);
    // The measurement types each syncs: RunKeeper's weight sets hold two; Withings reads them all.
    const types = (id: string) =>
      (list.find((p) => p.id === id) as { measurementTypes?: string[] } | undefined)?.measurementTypes;
    expect(types('runkeeper')).toEqual(['weight', 'body_fat']);
    expect(types('withings')).toEqual(['weight', 'body_fat', 'height', 'waist']);
  });

  it('writes no token to the logs or the outbox', async () => {
    const { rows } = await sql<{
      user_id: string;
      partner: string;
      key_id: string;
      sealed: Buffer;
      auth_generation: string;
      epoch: number;
    }>`
      select * from auth.credentials`.execute(h.db);
    expect(rows.length).toBeGreaterThan(0);
    const logs = h.log.text();
    const outbox = JSON.stringify(await outboxEvents(h.db));
    for (const r of rows) {
      const s = openCredentials(
        h.keyRing,
        { keyId: r.key_id, data: r.sealed },
        { userId: r.user_id, partner: r.partner, authGeneration: r.auth_generation, epoch: r.epoch },
      );
      const secrets = s.kind === 'oauth2' ? [s.accessToken, s.refreshToken] : [s.token, s.tokenSecret];
      for (const secret of secrets) {
        if (!secret) continue;
        expect(logs.includes(secret)).toBe(false);
        expect(outbox.includes(secret)).toBe(false);
      }
    }
  });
});
