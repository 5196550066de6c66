import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { storeContainers } from '@healthsync/app-store';
import { listen, withTransaction } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerApp, workerMetrics } from './app.js';
import { onNeedsReauth } from './handlers/connection.handler.js';
import {
  AppChangeFeed,
  captureLogger,
  createSyncTestDatabase,
  deliverAppChanges,
  type PartnerRig,
  startPartner,
} from './testing/harness.js';

const SECRET = 'sync-log-test-secret-0123456789abcdef';
let t: TestDatabase;
let rig: PartnerRig<'runkeeper'>;
let server: Awaited<ReturnType<typeof listen>>;
let metrics: ReturnType<typeof workerMetrics>;

beforeAll(async () => {
  t = await createSyncTestDatabase();
  rig = await startPartner('runkeeper', { db: t.db, maxPushAttempts: 1, fakeOptions: { demoData: false } });
  const { app, metrics: registry } = createWorkerApp({
    db: t.db,
    logger: captureLogger().logger,
    partner: 'runkeeper',
    jwtSecret: SECRET,
    readiness: [],
  });
  metrics = workerMetrics(registry, 'runkeeper');
  server = await listen(app, 0);
});
afterAll(async () => {
  await server?.close();
  await rig?.close();
  await t?.drop();
});

const token = (role: string) =>
  new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('operator')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

interface SyncLogBody {
  connection: Record<string, unknown> | null;
  diagnosis: string[];
  items: { counts: Record<string, number>; problems: unknown[] };
  syncs: Record<string, unknown>[];
  code?: string;
}

async function why(userId: string, role = 'service') {
  const res = await fetch(`${server.url}/v1/sync-log/${encodeURIComponent(userId)}?limit=5`, {
    headers: { authorization: `Bearer ${await token(role)}` },
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as SyncLogBody,
  };
}

const ago = (h: number) => new Date(Date.now() - h * 3600_000).toUTCString().replace(' GMT', '');

describe('GET /v1/sync-log/{userId}: why does user U get no data from P?', () => {
  it('names the partner items it rejected and why', async () => {
    const account = rig.fake.controls.createUser();
    rig.fake.data.nutrition.insert(account, { timestamp: ago(2), protein: 20 });
    await rig.connect('u-rejected', { externalUser: account, poll: ['food'], push: [] });
    metrics.observe(await rig.sync('u-rejected'), 12);

    const { status, body } = await why('u-rejected');
    expect(status).toBe(200);
    expect(body.connection).toMatchObject({
      status: 'connected',
      pollKinds: ['food'],
      externalUserId: account,
    });
    expect(body.syncs[0]).toMatchObject({
      outcome: 'ok',
      polledNew: 0,
      rejected: [
        { kind: 'food', reason: 'food has no calories', externalId: expect.stringMatching(/^\/nutrition\//) },
      ],
    });
    expect(body.diagnosis).toContain(
      '1 item(s) from runkeeper were rejected in the last 1 sync(s); see rejected[].reason',
    );
    // The same answer from the operator CLI.
    const cli = fileURLToPath(new URL('./cli/sync-log.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, 'runkeeper', 'u-rejected'],
      {
        env: { ...process.env, DATABASE_URL: t.url },
      },
    );
    expect(stdout).toContain('runkeeper u-rejected: connected, polls [food], pushes []');
    expect(stdout).toMatch(/rejected food \/nutrition\/\d+: food has no calories/);
    expect(stdout).toContain('why: 1 item(s) from runkeeper were rejected');
    const scraped = await (await fetch(`${server.url}/metrics`)).text();
    expect(scraped).toMatch(/healthsync_syncs_total\{partner="runkeeper",outcome="ok"\} 1/);
  });

  it('says when the partner refused our credentials, and when the user must reconnect', async () => {
    const account = await rig.connect('u-revoked');
    rig.fake.controls.revokeUser(account);
    await rig.sync('u-revoked');
    let { body } = await why('u-revoked');
    expect(body.syncs[0]).toMatchObject({ outcome: 'failed', error: { code: 'auth_revoked' } });
    expect(body.diagnosis.join('\n')).toMatch(/the last sync \(failed\) failed with auth_revoked/);

    // The worker hears its own connection.needs-reauth back from the bus.
    await withTransaction(t.db, (trx) =>
      onNeedsReauth(trx, { userId: 'u-revoked', partner: 'runkeeper', reason: 'auth_revoked' }),
    );
    ({ body } = await why('u-revoked'));
    expect(body.diagnosis).toContain('the connection is needs reauth');
  });

  it('counts parked pushes and says what fixes them', async () => {
    await rig.connect('u-parked', { poll: [], push: ['measurement'] });
    await storeContainers(t.db, [
      {
        userId: 'u-parked',
        container: {
          kind: 'measurement',
          type: 'weight',
          value: 71,
          unit: 'kg',
          measuredAt: new Date(Date.now() - 3600_000).toISOString(),
          utcOffsetMinutes: 0,
        },
      },
    ]);
    await deliverAppChanges(new AppChangeFeed(t.db), [rig]);
    // The partner keeps failing (RunKeeper's client retries its idempotent /user read twice).
    rig.fake.controls.failNext(3);
    await rig.sync('u-parked');
    const { body } = await why('u-parked');
    expect(body.items.counts).toEqual({ parked: 1 });
    expect(body.items.problems).toEqual([
      expect.objectContaining({ kind: 'measurement', state: 'parked', attempts: 1 }),
    ]);
    expect(body.diagnosis).toContain(
      '1 push(es) are parked after repeated failures (replay-parked puts them back)',
    );
  });

  it('says when the user polls nothing, when no sync has run, and when syncs find nothing', async () => {
    await rig.connect('u-idle', { poll: [], push: [] });
    const { body } = await why('u-idle');
    expect(body.diagnosis).toEqual([
      'the user polls nothing from runkeeper',
      'no sync has run yet (is the scheduler dispatching?)',
    ]);
    // Syncs that move nothing are counted on the connection, not logged one by one.
    await rig.sync('u-idle');
    await rig.sync('u-idle');
    const after = await why('u-idle');
    expect(after.body.syncs).toEqual([]);
    expect(after.body.connection).toMatchObject({ lastOutcome: 'ok', quietSyncs: 2 });
    expect(after.body.diagnosis).toEqual([
      'the user polls nothing from runkeeper',
      'the last 2 sync(s) found nothing new at runkeeper and met no problem',
    ]);
  });

  it('answers 404 problem+json for a user it knows nothing about, and needs a service credential', async () => {
    const unknown = await why('nobody');
    expect(unknown).toMatchObject({ status: 404, type: expect.stringContaining('application/problem+json') });
    expect(unknown.body).toMatchObject({ code: 'not_found' });
    expect((await why('u-idle', 'user')).status).toBe(403);
    const anonymous = await fetch(`${server.url}/v1/sync-log/u-idle`);
    expect(anonymous.status).toBe(401);
  });
});
