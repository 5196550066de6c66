import { topology } from '@healthsync/contracts';
import {
  type Bus,
  createBus,
  createEvent,
  createLogger,
  type Subscription,
  systemClock,
} from '@healthsync/platform';
import { createTestVhost, type TestVhost } from '@healthsync/platform/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeSetup, connectThrough, startHarness } from '../testing/harness.js';
import { handleNeedsReauth, NEEDS_REAUTH_CONSUMER } from './needs-reauth.handler.js';

const partners = { acme: acmeSetup() };
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;
let vhost: TestVhost;
let bus: Bus;
let subscription: Subscription;
const logger = createLogger('auth-test', 'silent');
let handled = 0;

async function statusOf(userId: string): Promise<string | undefined> {
  const { rows } = await sql<{
    status: string;
  }>`select status from auth.connections where user_id = ${userId}`.execute(h.db);
  return rows[0]?.status;
}

async function until(fn: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  h = await startHarness({ partners });
  vhost = await createTestVhost();
  const t = topology(['acme']);
  bus = await createBus({ url: vhost.url, topology: t, logger, serviceName: 'auth-test' });
  const queue = t.consumers.find((q) => q.name === NEEDS_REAUTH_CONSUMER);
  if (!queue) throw new Error('no auth queue in the topology');
  subscription = await bus.consume(queue, {
    'connection.needs-reauth': async (_payload, envelope) => {
      await handleNeedsReauth({ db: h.db, logger, clock: systemClock }, envelope);
      handled++;
    },
  });
});
afterAll(async () => {
  await subscription?.cancel();
  await bus?.close();
  await vhost?.drop();
  await h?.close();
});

describe('connection.needs-reauth from a sync worker', () => {
  it('marks the connection once, even when the event arrives twice, and emits nothing itself', async () => {
    expect((await connectThrough(h, 'nr-1', 'acme')).status).toBe('connected');
    const event = createEvent(
      'connection.needs-reauth',
      { userId: 'nr-1', partner: 'acme', reason: 'auth_revoked: API answered 401 twice' },
      { source: 'sync-worker' },
    );
    await bus.publish([event, event]);
    await until(async () => handled >= 2);
    expect(await statusOf('nr-1')).toBe('needs_reauth');
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from auth.inbox where event_id = ${event.envelope.id}`.execute(h.db);
    expect(rows[0]?.n).toBe(1);
    const out = await sql<{
      n: number;
    }>`select count(*)::int as n from auth.outbox where type = 'connection.needs-reauth'`.execute(h.db);
    expect(out.rows[0]?.n).toBe(0);
    const creds = await h.api('/internal/v1/credentials/acme/nr-1', {
      method: 'POST',
      token: await h.serviceToken(),
      json: {},
    });
    expect(creds.status).toBe(409);
    expect(creds.json()).toMatchObject({ code: 'needs_reauth' });
  });

  it('ignores an event about an earlier connection than the current one', async () => {
    const stale = createEvent(
      'connection.needs-reauth',
      { userId: 'nr-2', partner: 'acme', reason: 'auth_revoked: old token' },
      { source: 'sync-worker', occurredAt: new Date(Date.now() - 60_000) },
    );
    expect((await connectThrough(h, 'nr-2', 'acme')).status).toBe('connected');
    const before = handled;
    await bus.publish([stale]);
    await until(async () => handled > before);
    expect(await statusOf('nr-2')).toBe('connected');
  });
});
