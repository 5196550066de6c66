import { storeContainers } from '@healthsync/app-store';
import type { Measurement } from '@healthsync/partner-kit';
import { createDb, type Db, sql, withTransaction } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onDisconnected } from './handlers/connection.handler.js';
import { partnerHttpFactory } from './partner-http.js';
import { runSync, type SyncDeps } from './sync-task.js';
import {
  AppChangeFeed,
  backdateAppRow,
  createSyncTestDatabase,
  deliverAppChanges,
  nextFence,
  type PartnerRig,
  SkewClock,
  startPartner,
} from './testing/harness.js';

let t: TestDatabase;
let feed: AppChangeFeed;
let fitbit: PartnerRig<'fitbit'>;
let runkeeper: PartnerRig<'runkeeper'>;

beforeAll(async () => {
  t = await createSyncTestDatabase();
  feed = new AppChangeFeed(t.db);
  fitbit = await startPartner('fitbit', { db: t.db, fakeOptions: { seed: false } });
  runkeeper = await startPartner('runkeeper', { db: t.db, fakeOptions: { demoData: false } });
});
afterAll(async () => {
  for (const rig of [fitbit, runkeeper]) await rig?.close();
  await t?.drop();
});

const weight = (value: number, hoursAgo = 6): Measurement => {
  const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - hoursAgo * 3600_000);
  return {
    kind: 'measurement',
    type: 'weight',
    value,
    unit: 'kg',
    measuredAt: `${at.toISOString().slice(0, 19)}+00:00`,
    utcOffsetMinutes: 0,
  };
};

async function outbox(userId: string) {
  const r = await sql<{ type: string; payload: Record<string, unknown> }>`
    select type, envelope->'payload' as payload from sync.outbox
    where envelope->'payload'->>'userId' = ${userId} order by seq`.execute(t.db);
  return r.rows;
}

async function items(partner: string, userId: string) {
  const r = await sql<{ id: number; external_id: string | null; state: string; app_row_id: string }>`
    select id::int, external_id, state, app_row_id from sync.sync_items
    where partner = ${partner} and user_id = ${userId} order by id`.execute(t.db);
  return r.rows;
}

async function appWeights(userId: string) {
  const r = await sql<{ value: string }>`select value::text from shapeup.body_measurements
    where user_id = ${userId} and deleted_at is null order by id`.execute(t.db);
  return r.rows.map((row) => Number(row.value));
}

/** A second worker process: its own pool, its own partner client (calls go through `fetch`). */
function otherWorker(rig: PartnerRig<'fitbit' | 'runkeeper'>, db: Db, fetchImpl: typeof fetch): SyncDeps {
  return {
    ...rig.deps,
    db,
    httpFor: partnerHttpFactory({
      api: rig.api,
      resolved: rig.resolved,
      credentials: rig.credentials,
      fetch: fetchImpl,
    }),
  };
}

const due = (userId: string, partner: string, fence: number) => ({
  userId,
  partner,
  reasons: ['push' as const],
  dueAt: new Date().toISOString(),
  fence,
  leaseExpiresAt: new Date(Date.now() + 300_000).toISOString(),
});

describe('partner refusals', () => {
  it('auth_revoked: the sync fails and connection.needs-reauth goes out through the outbox', async () => {
    const userId = 'revoked';
    const account = await fitbit.connect(userId);
    expect((await fitbit.sync(userId)).outcome).toBe('ok');

    // An expired access token is refreshed (rotating refresh token) and the sync goes on.
    fitbit.fake.controls.expireAccessTokens(account);
    const calls = fitbit.fake.controls.tokenEndpointCalls();
    expect((await fitbit.sync(userId)).outcome).toBe('ok');
    expect(fitbit.fake.controls.tokenEndpointCalls()).toBe(calls + 1);
    expect((await outbox(userId)).filter((e) => e.type === 'connection.needs-reauth')).toEqual([]);

    // The user revokes our access at Fitbit: the refresh is refused too.
    fitbit.fake.controls.revokeUser(account);
    const result = await fitbit.sync(userId);
    expect(result.outcome).toBe('failed');
    const events = await outbox(userId);
    const reauth = events.filter((e) => e.type === 'connection.needs-reauth');
    expect(reauth).toEqual([
      { type: 'connection.needs-reauth', payload: expect.objectContaining({ userId, partner: 'fitbit' }) },
    ]);
    expect(String(reauth[0]?.payload.reason)).toMatch(/^auth_revoked: /);
    expect(events.filter((e) => e.type === 'sync.completed').at(-1)?.payload).toMatchObject({
      outcome: 'failed',
      error: { code: 'auth_revoked' },
    });
  });

  it('rate_limited: sync.completed is deferred until the partner says', async () => {
    const userId = 'limited';
    await fitbit.connect(userId);
    fitbit.fake.controls.rateLimitNext(1800);
    const before = Date.now();
    const result = await fitbit.sync(userId);
    expect(result.outcome).toBe('deferred');
    const completed = (await outbox(userId)).filter((e) => e.type === 'sync.completed').at(-1);
    expect(completed?.payload).toMatchObject({ outcome: 'deferred', error: { code: 'rate_limited' } });
    const retryAt = Date.parse(String(completed?.payload.retryAt));
    expect(retryAt).toBeGreaterThanOrEqual(before + 1795_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 1805_000);
  });
});

describe('crash points', () => {
  for (const [polls, offset] of [
    [true, 0],
    [false, 0],
    [true, 120],
    [false, 120],
  ] as const) {
    it(`worker killed after the partner created the item, before its commit (user ${polls ? 'polls' : 'does not poll'} weights; offset ${offset} min)`, async () => {
      const userId = `crash-create-${polls}-${offset}`;
      const account = await runkeeper.connect(userId, {
        poll: polls ? ['measurement'] : [],
        push: ['measurement'],
      });
      const w = weight(70.2);
      const local = new Date(Date.parse(w.measuredAt) + offset * 60_000).toISOString().slice(0, 19);
      const at = `${local}${offset ? '+02:00' : '+00:00'}`;
      await storeContainers(t.db, [
        { userId, container: { ...w, measuredAt: at, utcOffsetMinutes: offset } },
      ]);
      await deliverAppChanges(feed, [runkeeper]);

      // The process dies right after RunKeeper answered 201 to the create.
      const dying = createDb(t.url, { max: 2 });
      const killAfterCreate: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        if (init?.method === 'POST') await dying.destroy();
        return res;
      };
      await expect(
        runSync(otherWorker(runkeeper, dying, killAfterCreate), due(userId, 'runkeeper', nextFence())),
      ).rejects.toThrow();
      expect(runkeeper.fake.data.weight.list(account)).toHaveLength(1);

      // The scheduler's lease expires and the next worker syncs: it finds the partner's copy.
      const next = await runkeeper.sync(userId);
      expect(next).toMatchObject({ outcome: 'ok', pushPending: 0 });
      expect(runkeeper.fake.data.weight.list(account)).toHaveLength(1);
      const [only] = runkeeper.fake.data.weight.list(account);
      expect(await items('runkeeper', userId)).toEqual([
        expect.objectContaining({ state: 'synced', external_id: `/weight/${only!.id}#weight` }),
      ]);
      expect(await appWeights(userId)).toEqual([70.2]);
      for (let n = 0; n < 3; n++) await runkeeper.sync(userId);
      expect(runkeeper.fake.data.weight.list(account)).toHaveLength(1);
      expect(await appWeights(userId)).toEqual([70.2]);
    });
  }

  it('worker killed after polling, before its commit: the next sync stores the data once', async () => {
    const userId = 'crash-poll';
    const account = runkeeper.fake.controls.createUser();
    runkeeper.fake.data.weight.insert(account, {
      timestamp: new Date(Date.now() - 7200_000).toUTCString().replace(' GMT', ''),
      weight: 77.7,
    });
    await runkeeper.connect(userId, { externalUser: account, poll: ['measurement'], push: [] });
    const dying = createDb(t.url, { max: 2 });
    const killAfterGet: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes('/weight')) await dying.destroy();
      return res;
    };
    await expect(
      runSync(otherWorker(runkeeper, dying, killAfterGet), due(userId, 'runkeeper', nextFence())),
    ).rejects.toThrow();
    expect(await appWeights(userId)).toEqual([]);
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', polledNew: 1 });
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', polledNew: 0 });
    expect(await appWeights(userId)).toEqual([77.7]);
  });

  it('the same sync.due delivered twice (crash after the commit, before the ack) has one effect', async () => {
    const userId = 'redelivered';
    const account = await runkeeper.connect(userId, { push: ['measurement'], poll: ['measurement'] });
    await storeContainers(t.db, [{ userId, container: weight(68.4) }]);
    await deliverAppChanges(feed, [runkeeper]);
    const fence = nextFence();
    expect(await runkeeper.sync(userId, { fence })).toMatchObject({ outcome: 'ok', pushed: 1 });
    expect(await runkeeper.sync(userId, { fence })).toMatchObject({ outcome: 'stale', pushed: 0 });
    expect(runkeeper.fake.data.weight.list(account)).toHaveLength(1);
    const completed = (await outbox(userId)).filter(
      (e) => e.type === 'sync.completed' && e.payload.fence === fence,
    );
    expect(completed).toHaveLength(1);
    const logged = await sql<{
      n: number;
    }>`select count(*)::int as n from sync.sync_log where user_id = ${userId} and fence = ${fence}`.execute(
      t.db,
    );
    expect(logged.rows[0]?.n).toBe(1);
  });

  it('a worker holding a stale fence writes nothing', async () => {
    const userId = 'stale';
    const account = await runkeeper.connect(userId, { poll: ['measurement'], push: ['measurement'] });
    const [w] = await storeContainers(t.db, [{ userId, container: weight(89.5, 30) }]);
    await deliverAppChanges(feed, [runkeeper]);
    expect(await runkeeper.sync(userId)).toMatchObject({ pushed: 1 });
    // Now there is work on both sides: the app edits the weight, RunKeeper gets a new one.
    await storeContainers(t.db, [{ userId, appRowId: w!, container: weight(89.1, 30) }]);
    await deliverAppChanges(feed, [runkeeper]);
    runkeeper.fake.data.weight.insert(account, {
      timestamp: new Date(Date.now() - 3600_000).toUTCString().replace(' GMT', ''),
      weight: 90.1,
    });

    // Worker A takes the lease, polls (the new weight is new to it), then stalls in its update
    // call (a long pause, a hung socket) until its lease has expired.
    let release!: () => void;
    const stalled = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const slow: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT') {
        entered();
        await stalled;
      }
      return fetch(input, init);
    };
    const fenceA = nextFence();
    const a = runSync(otherWorker(runkeeper, t.db, slow), due(userId, 'runkeeper', fenceA));
    await inside;
    // The scheduler dispatches again and worker B does the whole sync.
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1, polledNew: 1 });
    const settled = { items: await items('runkeeper', userId), weights: await appWeights(userId) };
    expect(settled.weights.sort()).toEqual([89.1, 90.1]);
    release();
    expect(await a).toMatchObject({ outcome: 'stale' });

    // A's late commit changed nothing: no second copy of the new weight, no item, no log entry, no event.
    expect(await items('runkeeper', userId)).toEqual(settled.items);
    expect((await appWeights(userId)).sort()).toEqual([89.1, 90.1]);
    expect(
      runkeeper.fake.data.weight
        .list(account)
        .map((i) => i.data.weight)
        .sort(),
    ).toEqual([89.1, 90.1]);
    const fenced = await sql<{ n: number }>`
      select (select count(*) from sync.sync_log where fence = ${fenceA})::int
        + (select count(*) from sync.outbox where (envelope->'payload'->>'fence')::bigint = ${fenceA})::int as n`.execute(
      t.db,
    );
    expect(fenced.rows[0]?.n).toBe(0);
    // A sync.due older than the newest started one is refused at once.
    expect(await runkeeper.sync(userId, { fence: fenceA })).toMatchObject({ outcome: 'stale' });
  });
});

describe('reconnecting', () => {
  it('the same account keeps the items and pushes what changed meanwhile', async () => {
    const userId = 'comeback';
    const account = await runkeeper.connect(userId, { poll: ['measurement'], push: ['measurement'] });
    const [w] = await storeContainers(t.db, [{ userId, container: weight(75.0) }]);
    await deliverAppChanges(feed, [runkeeper]);
    expect(await runkeeper.sync(userId)).toMatchObject({ pushed: 1 });
    const before = await items('runkeeper', userId);
    const [entry] = runkeeper.fake.data.weight.list(account);

    await withTransaction(t.db, (trx) => onDisconnected(trx, { userId, partner: 'runkeeper' }));
    runkeeper.credentials.forget(userId);
    // While disconnected the user edits the weight and adds another.
    await storeContainers(t.db, [
      { userId, appRowId: w!, container: weight(74.4) },
      { userId, container: weight(74.1, 1) },
    ]);
    await deliverAppChanges(feed, [runkeeper]);
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'skipped', pushed: 0 });

    await runkeeper.connect(userId, {
      externalUser: account,
      poll: ['measurement'],
      push: ['measurement'],
      reconnect: true,
    });
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 2 });
    const after = await items('runkeeper', userId);
    expect(after[0]).toMatchObject({
      id: before[0]!.id,
      external_id: before[0]!.external_id,
      state: 'synced',
    });
    expect(after).toHaveLength(2);
    const held = runkeeper.fake.data.weight.list(account);
    expect(held.map((i) => i.data.weight).sort()).toEqual([74.1, 74.4]);
    expect(held.find((i) => i.data.weight === 74.4)?.id).toBe(entry!.id);
  });

  it('a different account clears the items of that partner for the user', async () => {
    const userId = 'switcher';
    const first = runkeeper.fake.controls.createUser();
    runkeeper.fake.data.weight.insert(first, {
      timestamp: new Date(Date.now() - 5 * 3600_000).toUTCString().replace(' GMT', ''),
      weight: 60.5,
    });
    await runkeeper.connect(userId, { externalUser: first, poll: ['measurement'], push: ['measurement'] });
    expect(await runkeeper.sync(userId)).toMatchObject({ polledNew: 1 });
    // The first account's weight came into the app an hour before the switch: the user's history,
    // which the new account is not sent.
    const [stored] = await items('runkeeper', userId);
    await backdateAppRow(t.db, 'measurement', stored!.app_row_id, 3600_000);

    const second = runkeeper.fake.controls.createUser();
    runkeeper.fake.data.weight.insert(second, {
      timestamp: new Date(Date.now() - 4 * 3600_000).toUTCString().replace(' GMT', ''),
      weight: 61.5,
    });
    await runkeeper.connect(userId, {
      externalUser: second,
      poll: ['measurement'],
      push: ['measurement'],
      reconnect: true,
      accountChanged: true,
    });
    expect(await items('runkeeper', userId)).toEqual([]);
    const cursors = await sql<{
      n: number;
    }>`select count(*)::int as n from sync.cursors where partner = 'runkeeper' and user_id = ${userId}`.execute(
      t.db,
    );
    expect(cursors.rows[0]?.n).toBe(0);

    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', polledNew: 1 });
    const now = await items('runkeeper', userId);
    expect(now).toHaveLength(1);
    expect(now[0]?.external_id).toMatch(
      new RegExp(`^/weight/${runkeeper.fake.data.weight.list(second)[0]!.id}#weight$`),
    );
    // The app keeps the data it already had from the first account.
    expect((await appWeights(userId)).sort()).toEqual([60.5, 61.5]);
  });
});

describe('the lease', () => {
  const weightsAt = (account: string) =>
    fitbit.fake.data.weight
      .list(account)
      .map((i) => i.data.value)
      .sort();
  const states = async (userId: string) =>
    (await items('fitbit', userId)).map((i) => [i.state, i.external_id === null]).sort();

  /** A Fitbit connection (pushing only) with two app weights waiting to be pushed; its account. */
  async function twoWeightsPending(userId: string, values: [number, number]) {
    const account = await fitbit.connect(userId, { poll: [] });
    await storeContainers(t.db, [
      { userId, container: weight(values[0]) },
      { userId, container: weight(values[1], 7) },
    ]);
    await deliverAppChanges(feed, [fitbit]);
    return account;
  }

  it('a sync picked up with its lease nearly over sends nothing; the items wait for the next lease', async () => {
    const userId = 'lease-over';
    const account = await twoWeightsPending(userId, [81, 82]);

    // Picked up late (a backlog): 30 s left of a 300 s lease, less than a partner write may take;
    // another worker may soon hold the connection.
    const ending = {
      ...due(userId, 'fitbit', nextFence()),
      dueAt: new Date(Date.now() - 270_000).toISOString(),
      leaseExpiresAt: new Date(Date.now() + 30_000).toISOString(),
    };
    expect(await runSync(fitbit.deps, ending)).toMatchObject({
      outcome: 'partial',
      pushed: 0,
      pushPending: 2,
    });
    expect(weightsAt(account)).toEqual([]);
    expect(await states(userId)).toEqual([
      ['pending', true],
      ['pending', true],
    ]);
    const completed = (await outbox(userId)).filter((e) => e.type === 'sync.completed').at(-1);
    expect(completed?.payload).toMatchObject({
      outcome: 'partial',
      pushPending: 2,
      error: { code: 'transient', message: expect.stringMatching(/lease ends .*: 2 push\(es\) left/) },
    });

    // The next lease sends each once.
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 2, pushPending: 0 });
    expect(weightsAt(account)).toEqual([81, 82]);
    expect(await states(userId)).toEqual([
      ['synced', false],
      ['synced', false],
    ]);
  });

  it('a sync.due that waited past its lease is not started: no partner call, the next lease syncs', async () => {
    const userId = 'lease-expired';
    const account = await twoWeightsPending(userId, [85, 86]);
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const expired = {
      ...due(userId, 'fitbit', nextFence()),
      dueAt: new Date(Date.now() - 400_000).toISOString(),
      leaseExpiresAt: new Date(Date.now() - 100_000).toISOString(),
    };
    expect(await runSync(otherWorker(fitbit, t.db, counting), expired)).toMatchObject({
      outcome: 'stale',
      pushed: 0,
    });
    expect(calls).toBe(0);
    expect(weightsAt(account)).toEqual([]);
    expect((await outbox(userId)).filter((e) => e.type === 'sync.completed')).toEqual([]);
    // The scheduler's next lease (a higher fence) syncs as usual.
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 2 });
    expect(weightsAt(account)).toEqual([85, 86]);
  });

  it('stops sending when the lease runs low mid-sync: what was sent is committed, the rest waits', async () => {
    const userId = 'lease-runs-low';
    const account = await twoWeightsPending(userId, [83, 84]);

    // The first create takes 250 s of the 300 s lease (as a stalled call would).
    const clock = new SkewClock();
    const slowCreate: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'POST' && String(input).includes('/body/log/')) clock.advance(250_000);
      return res;
    };
    const deps = { ...otherWorker(fitbit, t.db, slowCreate), clock };
    expect(await runSync(deps, due(userId, 'fitbit', nextFence()))).toMatchObject({
      outcome: 'partial',
      pushed: 1,
      pushPending: 1,
    });
    expect(weightsAt(account)).toHaveLength(1);
    expect(await states(userId)).toEqual([
      ['pending', true],
      ['synced', false],
    ]);

    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1, pushPending: 0 });
    expect(weightsAt(account)).toEqual([83, 84]);
  });
});
