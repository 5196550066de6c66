import { fileURLToPath } from 'node:url';
import type { EventPayload, EventType } from '@healthsync/contracts';
import {
  type BusObserver,
  createTestDatabase,
  createTestVhost,
  freePort,
  ServiceProcess,
  startBusObserver,
  startServiceProcess,
  type TestDatabase,
  type TestVhost,
  until,
} from '@healthsync/platform/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real process (`node --import tsx src/main.ts`) with its own database and vhost; an observer
// on the bus stands in for the sync workers.
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const SECRET = 'scheduler-test-secret-0123456789abcdef';
let database: TestDatabase;
let vhost: TestVhost;
let observer: BusObserver;
let service: ServiceProcess;
let base: string;
const dues = () => observer.of('sync.due').map((e) => e.payload);
const diagnostics = () => service.tail(60);

const token = (role: string | undefined, secret = SECRET) =>
  new SignJWT(role ? { role } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ops-console')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));

async function admin(method: string, path: string, body?: unknown, bearer?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer ?? (await token('service'))}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as Record<string, unknown>,
  };
}

const publish = <T extends EventType>(type: T, payload: EventPayload<T>) => observer.publish(type, payload);

beforeAll(async () => {
  [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  // The observer stands in for the sync workers.
  observer = await startBusObserver(vhost.url, { bindings: ['sync.due.*'] });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  service = await startServiceProcess(
    'scheduler',
    main,
    {
      ...process.env,
      DATABASE_URL: database.url,
      AMQP_URL: vhost.url,
      PORT: String(port),
      AUTH_JWT_SECRET: SECRET,
      SCHEDULER_TICK_MS: '100',
      LOG_LEVEL: 'warn',
    },
    { readyUrl: `${base}/readyz`, readyTimeoutMs: 60_000 },
  );
});

afterAll(async () => {
  if (service?.running) service.child.kill('SIGKILL');
  await observer?.close();
  await Promise.all([database?.drop(), vhost?.drop()]);
});

describe('scheduler process', () => {
  it('answers health, readiness and metrics', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('dispatches a sync.due for a new connection, through the outbox and the broker', async () => {
    await publish('connection.connected', {
      userId: 'u1',
      partner: 'withings',
      externalUserId: '363',
      generation: 'oauth2',
      dataTypes: { poll: ['measurement'], push: [] },
      reconnect: false,
      accountChanged: false,
    });
    const due = await until('a sync.due for u1', () => dues().find((d) => d.userId === 'u1'), {
      diagnostics,
    });
    expect(due).toMatchObject({ partner: 'withings', reasons: ['poll'], fence: 1 });

    const finishedAt = new Date();
    await publish('sync.completed', {
      userId: 'u1',
      partner: 'withings',
      fence: 1,
      reasons: ['poll'],
      pushed: 0,
      pushPending: 0,
      polledNew: 2,
      polledKinds: ['measurement'],
      rejected: 0,
      outcome: 'ok',
      startedAt: new Date(finishedAt.getTime() - 300).toISOString(),
      finishedAt: finishedAt.toISOString(),
    });
    const row = await until(
      'the completed sync on the schedule row',
      async () => {
        const r = await admin('GET', '/admin/v1/connections/withings/u1');
        return r.status === 200 && r.body.leaseExpiresAt === null ? r.body : undefined;
      },
      { diagnostics },
    );
    expect(row).toMatchObject({
      group: 5,
      fence: 1,
      lastOutcome: 'ok',
      lastDataAt: finishedAt.toISOString(),
    });
    expect(new Date(String(row.dueAt)).getTime()).toBe(finishedAt.getTime() + 5 * 60_000);
  });

  it('syncs a connection now on an admin request, and reports the groups', async () => {
    const r = await admin('POST', '/admin/v1/sync', {
      scope: { kind: 'connection', userId: 'u1', partner: 'withings' },
    });
    expect(r).toMatchObject({ status: 202, body: { connections: 1 } });
    const due = await until(
      'the requested sync.due',
      () => dues().find((d) => d.userId === 'u1' && d.fence === 2),
      {
        diagnostics,
      },
    );
    expect(due.reasons).toEqual(['requested']);

    const groups = await admin('GET', '/admin/v1/groups');
    expect(groups.status).toBe(200);
    expect(groups.body).toMatchObject({ policy: 'seed-groups', statuses: { active: 1 } });
    expect(groups.body.groups).toEqual([
      { group: 5, connections: 1, partners: { withings: 1 } },
      { group: 20, connections: 0, partners: {} },
      { group: 60, connections: 0, partners: {} },
    ]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/scheduler_dispatched_total\{partner="withings"\} 2/);
    expect(metrics).toMatch(/scheduler_group_connections\{partner="withings",status="active",group="5"\} 1/);
  });

  it('guards the admin API with a service credential and answers problems as problem+json', async () => {
    const none = await fetch(`${base}/admin/v1/groups`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await admin('GET', '/admin/v1/groups', undefined, await token(undefined))).status).toBe(403);
    expect(
      (await admin('GET', '/admin/v1/groups', undefined, await token('service', `${SECRET}-other`))).status,
    ).toBe(401);
    const bad = await admin('POST', '/admin/v1/sync', { scope: { kind: 'planet' } });
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.body.code).toBe('invalid_request');
    const missing = await admin('POST', '/admin/v1/sync', {
      scope: { kind: 'connection', userId: 'nobody', partner: 'withings' },
    });
    expect(missing).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('drains and exits 0 on SIGTERM', async () => {
    expect(await service.stop()).toBe(0);
  });

  it('rebuilds the same projection from its event log (`rebuild --check`)', async () => {
    const cli = fileURLToPath(new URL('./cli/rebuild.ts', import.meta.url));
    const run = new ServiceProcess(
      'rebuild --check',
      cli,
      { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
      { args: ['--check'] },
    );
    const code = await run.exited;
    const out = run.output();
    expect(code, out).toBe(0);
    expect(out).toMatch(/-> 1 schedule rows \(policy seed-groups\).*; 0 stored rows differed/);
  });
});
