import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDevPartnerEnv } from '@healthsync/partner-kit';
import { startFake, type WithingsFakeHandle } from '@healthsync/partner-withings/fake';
import { declarations } from '@healthsync/partners/declarations';
import {
  type BusObserver,
  createTestDatabase,
  createTestVhost,
  freePort,
  type ServiceProcess,
  startBusObserver,
  startServiceProcess,
  type TestDatabase,
  type TestVhost,
  until,
} from '@healthsync/platform/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, JWT_SECRET, RETURN_URL } from './testing/harness.js';

// The real process: `node --import tsx src/main.ts`, with its env, database, broker and a partner fake.
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let database: TestDatabase;
let vhost: TestVhost;
let fake: WithingsFakeHandle;
let observer: BusObserver;
let service: ServiceProcess;
let base: string;
const diagnostics = () => service.tail(60);

const token = (sub: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET));

beforeAll(async () => {
  [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  fake = await startFake({ redirectUris: [`${base}/v1/oauth/withings/callback`], demoUsers: 0 });
  // An observer queue stands in for the scheduler: connection events must reach the broker.
  observer = await startBusObserver(vhost.url, { bindings: ['connection.connected.*'] });

  const partnerEnv = Object.assign(
    {},
    ...declarations.map((d) =>
      createDevPartnerEnv(d, d.id === 'withings' ? fake.url : 'http://127.0.0.1:9', {
        ...(d.id === 'withings' ? { clientId: fake.clientId, clientSecret: fake.clientSecret } : {}),
        webhookVerifyToken: 'verify-me',
      }),
    ),
  ) as Record<string, string>;
  service = await startServiceProcess(
    'auth',
    main,
    {
      ...partnerEnv,
      DATABASE_URL: database.url,
      AMQP_URL: vhost.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AUTH_PUBLIC_URL: base,
      AUTH_JWT_SECRET: JWT_SECRET,
      AUTH_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      AUTH_ENCRYPTION_PRIMARY_KEY: 'k1',
      AUTH_RETURN_URL_ALLOWLIST: 'https://app.example.test/settings/',
    },
    // Every line is kept: the test checks that no token appears anywhere in the output.
    { readyUrl: `${base}/readyz`, readyTimeoutMs: 20_000, keepLines: Number.POSITIVE_INFINITY },
  );
}, 60_000);

afterAll(async () => {
  if (service?.running) service.child.kill('SIGKILL');
  await observer?.close();
  await fake?.close();
  await vhost?.drop();
  await database?.drop();
});

describe('the auth service process', () => {
  it('connects a partner end to end, relays connection.connected, consumes needs-reauth, and drains on SIGTERM', async () => {
    const userToken = await token('proc-user');
    const started = await fetch(`${base}/v1/users/proc-user/connections/withings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ returnUrl: RETURN_URL }),
    });
    expect(started.status).toBe(201);
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    const back = await consent(authorizeUrl, { user: '8080' });
    const cb = await fetch(back, { redirect: 'manual' });
    expect(cb.status).toBe(302);
    expect(new URL(cb.headers.get('location') ?? '').searchParams.get('status')).toBe('connected');

    const event = await until(
      'connection.connected',
      () => observer.of('connection.connected', (e) => e.userId === 'proc-user')[0]?.payload,
      {
        timeoutMs: 20_000,
        diagnostics,
      },
    );
    expect(event).toMatchObject({
      partner: 'withings',
      externalUserId: '8080',
      generation: 'oauth2',
      reconnect: false,
    });

    const serviceToken = await new SignJWT({ role: 'service' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('sync-worker')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const creds = await fetch(`${base}/internal/v1/credentials/withings/proc-user`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { accessToken } = (await creds.json()) as { accessToken: string };
    expect(accessToken.length).toBeGreaterThan(8);

    await observer.publish(
      'connection.needs-reauth',
      { userId: 'proc-user', partner: 'withings', reason: 'auth_revoked: 401' },
      'sync-worker',
    );
    await until(
      'the connection in needs_reauth',
      async () => {
        const res = await fetch(`${base}/v1/users/proc-user/connections/withings`, {
          headers: { authorization: `Bearer ${userToken}` },
        });
        const body = (await res.json()) as { status: string };
        return body.status === 'needs_reauth' ? true : undefined;
      },
      { timeoutMs: 20_000, diagnostics },
    );

    expect(await service.stop()).toBe(0);
    expect(service.output()).toContain('stopped');
    // No token in the process's own logs either.
    expect(service.output()).not.toContain(accessToken);
  }, 60_000);
});
