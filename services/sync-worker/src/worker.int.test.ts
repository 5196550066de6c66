import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { storeContainers } from '@healthsync/app-store';
import { type EventPayload, topology } from '@healthsync/contracts';
import { partnerIds } from '@healthsync/partners/declarations';
import {
  type Bus,
  createBus,
  createEvent,
  type OutboxRelay,
  type Subscription,
  sql,
  startOutboxRelay,
} from '@healthsync/platform';
import {
  createTestVhost,
  management,
  sleep,
  type TestDatabase,
  type TestVhost,
  until,
} from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA } from './db/migrations/index.js';
import {
  AppChangeFeed,
  captureLogger,
  createSyncTestDatabase,
  nextFence,
  type PartnerRig,
  startPartner,
} from './testing/harness.js';
import { startWorker } from './worker.js';

let t: TestDatabase;
let vhost: TestVhost;
let bus: Bus;
let relay: OutboxRelay;
let rig: PartnerRig<'runkeeper'>;
const subscriptions: Subscription[] = [];
const completed: EventPayload<'sync.completed'>[] = [];

beforeAll(async () => {
  t = await createSyncTestDatabase();
  vhost = await createTestVhost();
  const { logger } = captureLogger();
  const topo = topology(partnerIds);
  bus = await createBus({ url: vhost.url, topology: topo, logger, serviceName: 'sync-worker.runkeeper' });
  rig = await startPartner('runkeeper', { db: t.db, logger, fakeOptions: { demoData: false } });
  subscriptions.push(...(await startWorker({ ...rig.deps, bus })));
  relay = startOutboxRelay({ db: t.db, schema: SCHEMA, bus, logger, idleMs: 20 });
  // What the scheduler hears back.
  const ignore = async () => {};
  subscriptions.push(
    await bus.consume(topo.consumers.find((q) => q.name === 'scheduler.events')!, {
      'sync.completed': async (p) => {
        completed.push(p);
      },
      'connection.connected': ignore,
      'connection.disconnected': ignore,
      'connection.preferences-changed': ignore,
      'connection.needs-reauth': ignore,
      'sync.push-pending': ignore,
      'partner.notified': ignore,
      'sync.requested': ignore,
    }),
  );
});
afterAll(async () => {
  for (const s of subscriptions) await s.cancel();
  await relay?.stop();
  await bus?.close();
  await rig?.close();
  await vhost?.drop();
  await t?.drop();
});

const one = async <T>(q: Promise<{ rows: T[] }>) => (await q).rows[0];

describe('the worker on the bus', () => {
  it('projects connections, takes app changes once, syncs on sync.due and reports to the scheduler', async () => {
    const userId = 'bus-user';
    const held = await rig.credentials.connect(userId, rig.fake.controls.createUser());
    const source = { source: 'auth' };
    await bus.publish([
      createEvent(
        'connection.connected',
        {
          userId,
          partner: 'runkeeper',
          externalUserId: held.externalUserId,
          generation: held.generation,
          dataTypes: { poll: ['measurement'], push: ['measurement'] },
          reconnect: false,
          accountChanged: false,
        },
        source,
      ),
    ]);
    await until('the connection', () =>
      one(
        sql`select status from sync.connections where partner = 'runkeeper' and user_id = ${userId}`.execute(
          t.db,
        ),
      ),
    );

    await storeContainers(t.db, [
      {
        userId,
        container: {
          kind: 'measurement',
          type: 'weight',
          value: 82.2,
          unit: 'kg',
          measuredAt: new Date(Date.now() - 3600_000).toISOString(),
          utcOffsetMinutes: 0,
        },
      },
    ]);
    const [change] = await new AppChangeFeed(t.db).next();
    const event = createEvent('shapeup.data-changed', change!, { source: 'change-detector' });
    // Duplicates on the wire are expected: the same event twice has one effect.
    await bus.publish([event, event]);
    await until('the pending item', () =>
      one(sql`select 1 from sync.sync_items where user_id = ${userId} and state = 'pending'`.execute(t.db)),
    );
    await until('both deliveries handled', async () => {
      const res = await management(
        'GET',
        `/queues/${encodeURIComponent(vhost.name)}/sync-worker.runkeeper.events`,
      );
      const q = (await res.json()) as { messages?: number; messages_unacknowledged?: number };
      return q.messages === 0 && q.messages_unacknowledged === 0 ? true : undefined;
    });

    const fence = nextFence();
    const due = createEvent(
      'sync.due',
      {
        userId,
        partner: 'runkeeper',
        reasons: ['push'],
        dueAt: new Date().toISOString(),
        fence,
        leaseExpiresAt: new Date(Date.now() + 300_000).toISOString(),
      },
      { source: 'scheduler' },
    );
    // Redelivered sync.due (the first ack was lost): still one push.
    await bus.publish([due, due]);
    const report = await until('sync.completed on the bus', async () =>
      completed.find((c) => c.fence === fence),
    );
    expect(report).toMatchObject({ userId, partner: 'runkeeper', outcome: 'ok', pushed: 1, pushPending: 0 });
    await sleep(300);
    expect(completed.filter((c) => c.fence === fence)).toHaveLength(1);
    expect(rig.fake.data.weight.list(held.externalUserId)).toHaveLength(1);
    const pending = await one(
      sql<{
        n: number;
      }>`select count(*)::int as n from sync.outbox where type = 'sync.push-pending' and envelope->'payload'->>'userId' = ${userId}`.execute(
        t.db,
      ),
    );
    expect(pending?.n).toBe(1);
  });
});

describe('the process', () => {
  it('refuses to start with bad configuration, naming every problem', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env.PATH ?? '', PARTNER: 'runkeeper', AUTH_JWT_SECRET: 'short' },
    });
    const failure = await run.then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failure?.code).toBe(78);
    expect(failure?.stderr).toMatch(/AUTH_JWT_SECRET: AUTH_JWT_SECRET must be at least 32 characters/);
    expect(failure?.stderr).toMatch(
      /runkeeper: missing PARTNER_RUNKEEPER_CLIENT_ID, PARTNER_RUNKEEPER_CLIENT_SECRET/,
    );
  });
});
