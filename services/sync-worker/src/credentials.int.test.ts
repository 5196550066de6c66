import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDevPartnerEnv, isPartnerError, resolvePartnerConfig } from '@healthsync/partner-kit';
import { submitConsent } from '@healthsync/partner-kit/fake';
import { apiOf } from '@healthsync/partners/apis';
import { declarations } from '@healthsync/partners/declarations';
import { fakes } from '@healthsync/partners/fakes';
import { sql, withTransaction } from '@healthsync/platform';
import {
  createTestDatabase,
  freePort,
  type ServiceProcess,
  sleep,
  startServiceProcess,
  type TestDatabase,
} from '@healthsync/platform/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialsClient } from './credentials.js';
import { onConnected } from './handlers/connection.handler.js';
import { partnerHttpFactory } from './partner-http.js';
import { runSync, type SyncDeps } from './sync-task.js';
import {
  captureLogger,
  createSyncTestDatabase,
  type FakeOf,
  nextFence,
  SkewClock,
} from './testing/harness.js';

// The worker's credentials client against the real auth service process (its internal
// credentials API), with the user connected through auth's own connect flow at the Fitbit fake.
const authMain = fileURLToPath(new URL('../../auth/src/main.ts', import.meta.url));
const JWT_SECRET = 'credentials-test-secret-0123456789abcdef';
const RETURN_URL = 'https://app.example.test/settings/partners';

let authDb: TestDatabase;
let t: TestDatabase;
let fitbit: FakeOf<'fitbit'>;
let auth: ServiceProcess;
let base: string;

const jwt = (sub: string, claims: Record<string, unknown> = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));

beforeAll(async () => {
  [authDb, t] = await Promise.all([createTestDatabase(), createSyncTestDatabase()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  fitbit = await fakes.fitbit({ port: 0, seed: false, redirectUris: [`${base}/v1/oauth/fitbit/callback`] });
  const partnerEnv: Record<string, string> = {};
  for (const d of declarations)
    Object.assign(
      partnerEnv,
      createDevPartnerEnv(d, d.id === 'fitbit' ? fitbit.url : 'http://127.0.0.1:9', {
        ...(d.id === 'fitbit' ? { clientId: fitbit.clientId, clientSecret: fitbit.clientSecret } : {}),
        webhookVerifyToken: 'verify-me',
      }),
    );
  auth = await startServiceProcess(
    'auth',
    authMain,
    {
      ...partnerEnv,
      DATABASE_URL: authDb.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AUTH_BUS_ENABLED: 'false',
      AUTH_PUBLIC_URL: base,
      AUTH_JWT_SECRET: JWT_SECRET,
      AUTH_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      AUTH_ENCRYPTION_PRIMARY_KEY: 'k1',
      AUTH_RETURN_URL_ALLOWLIST: 'https://app.example.test/settings/',
    },
    // Every line is kept: the test checks that no token appears anywhere in auth's output.
    { readyUrl: `${base}/readyz`, readyTimeoutMs: 60_000, keepLines: Number.POSITIVE_INFINITY },
  );
}, 90_000);

afterAll(async () => {
  if (auth?.running) auth.child.kill('SIGKILL');
  await fitbit?.close();
  await authDb?.drop();
  await t?.drop();
});

/** The user connects Fitbit through the auth service, as in the app. */
async function connectThroughAuth(userId: string, account: string): Promise<void> {
  const started = await fetch(`${base}/v1/users/${userId}/connections/fitbit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await jwt(userId)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ returnUrl: RETURN_URL }),
  });
  expect(started.status).toBe(201);
  const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
  const callback = await submitConsent(authorizeUrl, { user: account });
  const done = await fetch(callback, { redirect: 'manual' });
  expect(new URL(done.headers.get('location') ?? '').searchParams.get('status')).toBe('connected');
}

describe('credentials from the auth service', () => {
  it('syncs with them, refreshes through auth after a 401, and reports a revoked user', async () => {
    const userId = 'creds-user';
    const account = fitbit.controls.createUser();
    await connectThroughAuth(userId, account);
    const connectedAt = Date.now();
    const api = apiOf('fitbit');
    const resolved = resolvePartnerConfig(
      api.declaration,
      createDevPartnerEnv(api.declaration, fitbit.url, {
        clientId: fitbit.clientId,
        clientSecret: fitbit.clientSecret,
      }),
    );
    const credentials = createCredentialsClient({
      authUrl: base,
      jwtSecret: JWT_SECRET,
      serviceName: 'sync-worker.fitbit',
    });
    const first = await credentials.get('fitbit', userId);
    expect(first).toMatchObject({ generation: 'oauth2', externalUserId: account });

    await withTransaction(t.db, (trx) =>
      onConnected(
        trx,
        api.declaration,
        {
          userId,
          partner: 'fitbit',
          externalUserId: account,
          generation: 'oauth2',
          dataTypes: { poll: ['measurement'], push: [] },
          reconnect: false,
          accountChanged: false,
        },
        { occurredAt: new Date().toISOString(), source: 'sync-worker.fitbit' },
      ),
    );
    fitbit.data.addBody(fitbit.data.weight, account, {
      date: new Date().toISOString().slice(0, 10),
      time: '06:30:00',
      value: 77.3,
      source: 'Aria',
    });
    const { logger, lines } = captureLogger();
    const deps: SyncDeps = {
      db: t.db,
      api,
      clock: new SkewClock(),
      logger,
      source: 'sync-worker.fitbit',
      httpFor: partnerHttpFactory({ api, resolved, credentials }),
    };
    const sync = () =>
      runSync(deps, {
        userId,
        partner: 'fitbit',
        reasons: ['poll'],
        dueAt: new Date().toISOString(),
        fence: nextFence(),
        leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
    expect(await sync()).toMatchObject({ outcome: 'ok', polledNew: 1 });

    // The token expires at Fitbit: the worker's cached token gets a 401, it asks auth to refresh.
    fitbit.controls.expireAccessTokens(account);
    // (Auth serves a forced refresh within 10 s of the last one from that refresh: let it age.)
    await sleep(Math.max(0, connectedAt + 10_500 - Date.now()));
    const tokenCalls = fitbit.controls.tokenEndpointCalls();
    expect(await sync()).toMatchObject({ outcome: 'ok' });
    expect(fitbit.controls.tokenEndpointCalls()).toBe(tokenCalls + 1);
    const fresh = await credentials.get('fitbit', userId);
    expect(fresh.accessToken).not.toBe(first.accessToken);

    // The user revokes us at Fitbit: auth's refresh is refused, the sync fails as auth_revoked.
    fitbit.controls.revokeUser(account);
    expect(await sync()).toMatchObject({ outcome: 'failed' });
    const reauth = await sql<{ n: number }>`select count(*)::int as n from sync.outbox
      where type = 'connection.needs-reauth' and envelope->'payload'->>'userId' = ${userId}`.execute(t.db);
    expect(reauth.rows[0]?.n).toBe(1);
    // No token in the worker's logs or the auth service's.
    const logs = JSON.stringify(lines) + auth.output();
    for (const token of [first.accessToken, fresh.accessToken]) expect(logs).not.toContain(token);
  });

  it('turns auth answers into the closed error codes', async () => {
    const credentials = createCredentialsClient({
      authUrl: base,
      jwtSecret: JWT_SECRET,
      serviceName: 'sync-worker.fitbit',
    });
    const failure = await credentials.get('fitbit', 'never-connected').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPartnerError(failure) && failure.code).toBe('auth_revoked');
    const down = createCredentialsClient({
      authUrl: 'http://127.0.0.1:9',
      jwtSecret: JWT_SECRET,
      serviceName: 'x',
    });
    const unreachable = await down.get('fitbit', 'creds-user').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPartnerError(unreachable) && unreachable.code).toBe('transient');
    const wrongSecret = createCredentialsClient({
      authUrl: base,
      jwtSecret: 'another-secret-0123456789abcdefghij',
      serviceName: 'x',
    });
    const refused = await wrongSecret.get('fitbit', 'creds-user').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPartnerError(refused) && refused.code).toBe('transient');
    expect(String((refused as Error).message)).toMatch(/401/);
  });
});
