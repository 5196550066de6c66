import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { softDelete, storeContainers } from '@healthsync/app-store';
import type { DataKind } from '@healthsync/contracts';
import type { Exercise, Food, Measurement } from '@healthsync/partner-kit';
import { sql, withTransaction } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onDisconnected } from './handlers/connection.handler.js';
import { recentSyncs } from './repositories/sync-log.repository.js';
import {
  AppChangeFeed,
  backdateAppRow,
  createSyncTestDatabase,
  deliverAppChanges,
  type PartnerRig,
  SkewClock,
  startPartner,
} from './testing/harness.js';

let t: TestDatabase;
let feed: AppChangeFeed;
const clock = new SkewClock();
let fitbit: PartnerRig<'fitbit'>;
let runkeeper: PartnerRig<'runkeeper'>;
let strava: PartnerRig<'strava'>;
let withings: PartnerRig<'withings'>;
const all = () => [fitbit, runkeeper, strava, withings] as PartnerRig<never>[];

beforeAll(async () => {
  t = await createSyncTestDatabase();
  feed = new AppChangeFeed(t.db);
  fitbit = await startPartner('fitbit', { db: t.db, clock, fakeOptions: { seed: false } });
  runkeeper = await startPartner('runkeeper', { db: t.db, clock, fakeOptions: { demoData: false } });
  strava = await startPartner('strava', { db: t.db, clock, fakeOptions: { seed: false } });
  withings = await startPartner('withings', { db: t.db, clock });
});
afterAll(async () => {
  for (const rig of [fitbit, runkeeper, strava, withings]) await rig?.close();
  await t?.drop();
});

const hoursAgo = (h: number) => {
  const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - h * 3600_000);
  return `${at.toISOString().slice(0, 19)}+00:00`;
};
const weight = (value: number, h = 5): Measurement => ({
  kind: 'measurement',
  type: 'weight',
  value,
  unit: 'kg',
  measuredAt: hoursAgo(h),
  utcOffsetMinutes: 0,
});
const run = (name: string, minutes: number): Exercise => ({
  kind: 'exercise',
  activityType: 'running',
  name,
  startedAt: hoursAgo(4),
  utcOffsetMinutes: 0,
  durationSeconds: minutes * 60,
  calories: minutes * 10,
  distanceMeters: minutes * 180,
});
const meal = (calories: number): Food => ({
  kind: 'food',
  name: 'Porridge',
  meal: 'breakfast',
  consumedAt: hoursAgo(3),
  utcOffsetMinutes: 0,
  calories,
});

async function item(partner: string, userId: string, appRowId: string, kind = 'measurement') {
  const r = await sql<{
    state: string;
    external_id: string | null;
    attempts: number;
    last_error: string | null;
  }>`
    select state, external_id, attempts, last_error from sync.sync_items
    where partner = ${partner} and user_id = ${userId} and kind = ${kind} and app_row_id = ${appRowId}`.execute(
    t.db,
  );
  return r.rows[0];
}

describe('app changes reach every push-capable partner the user chose', () => {
  it('as create, then update, then delete', async () => {
    const userId = 'pusher';
    const fb = await fitbit.connect(userId, { poll: [] });
    const rk = await runkeeper.connect(userId, { poll: [] });
    const st = await strava.connect(userId, { poll: [] });
    await withings.connect(userId, { externalUser: withings.fake.controls.createUser() });

    // The app writes a weight, a run and a breakfast.
    const [w, e, f] = await storeContainers(t.db, [
      { userId, container: weight(80.5) },
      { userId, container: run('Morning run', 30) },
      { userId, container: meal(350) },
    ]);
    expect(await deliverAppChanges(feed, all())).toBe(3);
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 3, pushPending: 0 });
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 3, pushPending: 0 });
    expect(await strava.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 2 }); // Strava takes no food
    expect(await withings.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 0 }); // read-only API

    // Created once at each partner.
    expect(fitbit.fake.data.weight.list(fb).map((i) => i.data.value)).toEqual([80.5]);
    expect(fitbit.fake.data.activities.list(fb).map((i) => i.data.durationMs)).toEqual([30 * 60_000]);
    expect(fitbit.fake.data.foods.list(fb).map((i) => i.data.calories)).toEqual([350]);
    const rkWeights = runkeeper.fake.data.weight.list(rk);
    expect(rkWeights.map((i) => i.data.weight)).toEqual([80.5]);
    const rkRuns = runkeeper.fake.data.fitness_activities.list(rk);
    expect(rkRuns.map((i) => i.data.duration)).toEqual([1800]);
    const rkMeals = runkeeper.fake.data.nutrition.list(rk);
    expect(rkMeals.map((i) => i.data.calories)).toEqual([350]);
    expect(strava.fake.data.athlete(st).weight).toBe(80.5);
    const stRuns = strava.fake.data.activities.list(st);
    expect(stRuns.map((i) => i.data.name)).toEqual(['Morning run']);

    // A repeated sync pushes nothing again.
    for (const rig of all()) expect((await rig.sync(userId)).pushed).toBe(0);

    // The app edits all three.
    await storeContainers(t.db, [
      { userId, appRowId: w!, container: weight(79.9) },
      { userId, appRowId: e!, container: run('Long morning run', 45) },
      { userId, appRowId: f!, container: meal(420) },
    ]);
    expect(await deliverAppChanges(feed, all())).toBe(3);
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 3 });
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 3 });
    // Strava updates activities; its single profile weight has no update, the edit stays in the app.
    expect(await strava.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1 });

    // RunKeeper and Strava: updated in place (same ids, no second create).
    expect(runkeeper.fake.data.weight.list(rk).map((i) => [i.id, i.data.weight])).toEqual([
      [rkWeights[0]!.id, 79.9],
    ]);
    expect(runkeeper.fake.data.fitness_activities.list(rk).map((i) => [i.id, i.data.duration])).toEqual([
      [rkRuns[0]!.id, 2700],
    ]);
    expect(runkeeper.fake.data.nutrition.list(rk).map((i) => [i.id, i.data.calories])).toEqual([
      [rkMeals[0]!.id, 420],
    ]);
    expect(strava.fake.data.activities.list(st).map((i) => [i.id, i.data.name])).toEqual([
      [stRuns[0]!.id, 'Long morning run'],
    ]);
    // Fitbit has no update endpoint for logs: the old log is replaced, still one entry each.
    expect(fitbit.fake.data.weight.list(fb).map((i) => i.data.value)).toEqual([79.9]);
    expect(fitbit.fake.data.activities.list(fb).map((i) => i.data.durationMs)).toEqual([45 * 60_000]);
    expect(fitbit.fake.data.foods.list(fb).map((i) => i.data.calories)).toEqual([420]);

    // The app deletes all three.
    for (const [kind, id] of [
      ['measurement', w],
      ['exercise', e],
      ['food', f],
    ] as const)
      await softDelete(t.db, kind, [id!]);
    expect(await deliverAppChanges(feed, all())).toBe(3);
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 3 });
    expect(await runkeeper.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 3 });
    expect(await strava.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 0 });
    expect(fitbit.fake.data.weight.list(fb)).toEqual([]);
    expect(fitbit.fake.data.activities.list(fb)).toEqual([]);
    expect(fitbit.fake.data.foods.list(fb)).toEqual([]);
    expect(runkeeper.fake.data.weight.list(rk)).toEqual([]);
    expect(runkeeper.fake.data.fitness_activities.list(rk)).toEqual([]);
    expect(runkeeper.fake.data.nutrition.list(rk)).toEqual([]);
    // Strava's API cannot delete activities: the item is closed with the reason.
    expect(strava.fake.data.activities.list(st)).toHaveLength(1);
    expect(await item('strava', userId, e!, 'exercise')).toMatchObject({
      state: 'deleted',
      last_error: 'strava cannot delete exercise items; the copy there stays',
    });
    for (const rig of all()) expect((await rig.sync(userId)).pushed).toBe(0);
  });
});

describe('preferences', () => {
  it('a kind the user stops pushing is not pushed, even if a change was already queued', async () => {
    const userId = 'chooser';
    const fb = await fitbit.connect(userId, { poll: [], push: ['measurement', 'food'] });
    const [w, f] = await storeContainers(t.db, [
      { userId, container: weight(58.8, 9) },
      { userId, container: meal(222) },
    ]);
    await deliverAppChanges(feed, [fitbit]);
    await fitbit.preferencesChanged(userId, { poll: [], push: ['food'] });
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1, pushPending: 0 });
    expect(fitbit.fake.data.weight.list(fb)).toEqual([]);
    expect(fitbit.fake.data.foods.list(fb).map((i) => i.data.calories)).toEqual([222]);
    expect(await item('fitbit', userId, w!)).toMatchObject({
      state: 'synced',
      last_error: 'the user no longer pushes measurement to fitbit',
    });
    expect(await item('fitbit', userId, f!, 'food')).toMatchObject({ state: 'synced', last_error: null });
    // New weights are not even queued.
    await storeContainers(t.db, [{ userId, container: weight(58.1, 2) }]);
    await deliverAppChanges(feed, [fitbit]);
    expect(await fitbit.sync(userId)).toMatchObject({ pushed: 0 });
  });
});

describe('around a connect', () => {
  /** The app changes since the last read, for one user (as the change detector emits them). */
  const changesOf = async (userId: string) => (await feed.next()).filter((c) => c.userId === userId);

  it.each([
    { userId: 'early-event', first: 'the app change' },
    { userId: 'early-due', first: 'a sync.due (the worker then knows the connection only from it)' },
  ])(
    'a change made right after connecting is pushed, even when its event comes before connection.connected: $first',
    async ({ userId }) => {
      const connectedAt = new Date();
      // The scheduler's first sync.due can reach the worker before connection.connected too.
      if (userId === 'early-due') expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'skipped' });
      const [w] = await storeContainers(t.db, [{ userId, container: weight(71.1, 1) }]);
      // The worker handles the app change first: it knows no connection yet.
      const [change] = await changesOf(userId);
      expect(change?.itemId).toBe(w);
      expect(await fitbit.changed(change!)).toBe('ignored');
      // connection.connected (auth connected the account before the app wrote the row) takes it up.
      const fb = await fitbit.connect(userId, { poll: [], push: ['measurement'], at: connectedAt });
      expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1 });
      expect(fitbit.fake.data.weight.list(fb).map((i) => i.data.value)).toEqual([71.1]);
      // The same event handled again changes nothing; a second sync sends nothing.
      expect(await fitbit.changed(change!)).toBe('unchanged');
      expect(await fitbit.sync(userId)).toMatchObject({ pushed: 0 });
    },
  );

  it('a row the user wrote before connecting is history: not pushed when its event comes late, pushed once edited', async () => {
    const userId = 'historian';
    const [old] = await storeContainers(t.db, [{ userId, container: weight(64.2, 30) }]);
    const version = await backdateAppRow(t.db, 'measurement', old!, 3600_000);
    await changesOf(userId);
    const fb = await fitbit.connect(userId, { poll: [], push: ['measurement'] });
    expect(await item('fitbit', userId, old!)).toBeUndefined();
    expect(await fitbit.changed({ userId, kind: 'measurement', itemId: old!, op: 'upsert', version })).toBe(
      'ignored',
    );
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 0 });

    await storeContainers(t.db, [{ userId, appRowId: old!, container: weight(64, 30) }]);
    await deliverAppChanges(feed, [fitbit]);
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1 });
    expect(fitbit.fake.data.weight.list(fb).map((i) => i.data.value)).toEqual([64]);
  });

  it.each([
    { userId: 'late-chooser', how: 'a change of preferences' },
    { userId: 'returner', how: 'a reconnect of the same account' },
  ])(
    'a kind the user starts pushing takes up what changed since, not what came before: $how',
    async ({ userId }) => {
      const reconnect = userId === 'returner';
      const account = fitbit.fake.controls.createUser();
      // Connected ten minutes ago, pushing weights only (and, for a reconnect, disconnected since).
      const fb = await fitbit.connect(userId, {
        externalUser: account,
        poll: [],
        push: ['measurement'],
        at: new Date(Date.now() - 600_000),
      });
      if (reconnect) await withTransaction(t.db, (trx) => onDisconnected(trx, { userId, partner: 'fitbit' }));
      const [earlier, between] = await storeContainers(t.db, [
        { userId, container: meal(300) },
        { userId, container: meal(350) },
      ]);
      await backdateAppRow(t.db, 'food', earlier!, 3600_000);
      // Logged after the connect, before the user chose to push food.
      const betweenVersion = await backdateAppRow(t.db, 'food', between!, 120_000);
      const chosenAt = new Date();
      await storeContainers(t.db, [{ userId, container: meal(480) }]);
      // The new meal's event comes before the choice reaches the worker: food is not pushed yet.
      for (const change of await changesOf(userId)) expect(await fitbit.changed(change)).toBe('ignored');
      const push: DataKind[] = ['measurement', 'food'];
      if (reconnect)
        await fitbit.connect(userId, {
          externalUser: account,
          poll: [],
          push,
          reconnect: true,
          at: chosenAt,
        });
      else await fitbit.preferencesChanged(userId, { poll: [], push }, chosenAt);
      // The meal logged before the choice is food's history, whenever its event comes.
      expect(
        await fitbit.changed({
          userId,
          kind: 'food',
          itemId: between!,
          op: 'upsert',
          version: betweenVersion,
        }),
      ).toBe('ignored');
      expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1 });
      expect(fitbit.fake.data.foods.list(fb).map((i) => i.data.calories)).toEqual([480]);
    },
  );
});

describe('measurement types', () => {
  it('a type the partner does not keep makes no work there; an unsent item whose row becomes one is dropped', async () => {
    const userId = 'measurer';
    const fb = await fitbit.connect(userId, { poll: [] });
    await strava.connect(userId, { poll: [] });
    const height: Measurement = { ...weight(0, 2), type: 'height', value: 180, unit: 'cm' };
    const [h, w, late] = await storeContainers(t.db, [
      { userId, container: height },
      { userId, container: weight(81, 2) },
      { userId, container: weight(82, 3) },
    ]);
    await deliverAppChanges(feed, all());
    // Fitbit keeps weight and body fat, Strava weight: a height is neither's business.
    for (const partner of ['fitbit', 'strava']) {
      expect(await item(partner, userId, h!)).toBeUndefined();
      expect(await item(partner, userId, w!)).toMatchObject({ state: 'pending' });
    }
    // Before they are pushed, both weights' rows become waist measurements: the unsent items are
    // dropped, when the change's event comes and when the sync finds it first.
    const waist: Measurement = { ...height, type: 'waist', value: 90 };
    await storeContainers(t.db, [{ userId, appRowId: w!, container: waist }]);
    await deliverAppChanges(feed, all());
    expect(await item('fitbit', userId, w!)).toMatchObject({ state: 'deleted', last_error: null });
    await storeContainers(t.db, [{ userId, appRowId: late!, container: waist }]);
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 0, pushPending: 0 });
    expect(await item('fitbit', userId, late!)).toMatchObject({ state: 'deleted', last_error: null });
    expect(fitbit.fake.data.weight.list(fb)).toEqual([]);
    await deliverAppChanges(feed, all());
  });
});

describe('failed pushes', () => {
  it('retries with backoff, records attempts and the error, and delivers once', async () => {
    const userId = 'retrier';
    const fb = await fitbit.connect(userId, { poll: [], push: ['measurement'] });
    const [w] = await storeContainers(t.db, [{ userId, container: weight(66.6, 7) }]);
    await deliverAppChanges(feed, [fitbit]);

    fitbit.fake.controls.failNext(3);
    const first = await fitbit.sync(userId);
    expect(first).toMatchObject({ outcome: 'partial', pushed: 0, pushPending: 1 });
    expect(await item('fitbit', userId, w!)).toMatchObject({ state: 'pending', attempts: 1 });
    expect((await item('fitbit', userId, w!))?.last_error).toMatch(/^transient: fitbit POST .* HTTP 503/);

    // Not due before its backoff: a sync right away leaves it alone.
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 0 });
    for (const attempt of [2, 3]) {
      clock.advance(10 * 60_000 * attempt);
      expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'partial', pushed: 0 });
      expect(await item('fitbit', userId, w!)).toMatchObject({ state: 'pending', attempts: attempt });
    }
    clock.advance(60 * 60_000);
    expect(await fitbit.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1, pushPending: 0 });
    expect(await item('fitbit', userId, w!)).toMatchObject({
      state: 'synced',
      attempts: 0,
      last_error: null,
    });
    expect(fitbit.fake.data.weight.list(fb).map((i) => i.data.value)).toEqual([66.6]);

    const failures = (await recentSyncs(t.db, 'fitbit', userId, 10)).flatMap((s) => s.push_failures);
    expect(failures).toHaveLength(3);
    expect(failures.every((f) => f.code === 'transient' && f.appRowId === w && !f.parked)).toBe(true);
    clock.advance(24 * 3600_000);
    expect(await fitbit.sync(userId)).toMatchObject({ pushed: 0 });
    expect(fitbit.fake.data.weight.list(fb)).toHaveLength(1);
  });

  it('parks a push after the bounded number of attempts; replay-parked puts it back', async () => {
    const userId = 'parker';
    const rig = await startPartner('fitbit', {
      db: t.db,
      clock,
      maxPushAttempts: 3,
      fakeOptions: { seed: false },
    });
    try {
      const fb = await rig.connect(userId, { poll: [], push: ['food'] });
      const [f] = await storeContainers(t.db, [{ userId, container: meal(510) }]);
      await deliverAppChanges(feed, [rig]);
      rig.fake.controls.failNext(3);
      for (let n = 1; n <= 3; n++) {
        await rig.sync(userId);
        clock.advance(7 * 3600_000);
      }
      expect(await item('fitbit', userId, f!, 'food')).toMatchObject({ state: 'parked', attempts: 3 });
      const [last] = await recentSyncs(t.db, 'fitbit', userId, 1);
      expect(last?.push_failures).toEqual([
        expect.objectContaining({ appRowId: f, parked: true, code: 'transient' }),
      ]);
      // Parked: later syncs leave it alone.
      expect(await rig.sync(userId)).toMatchObject({ pushed: 0, pushPending: 0 });
      expect(rig.fake.data.foods.list(fb)).toEqual([]);

      const cli = fileURLToPath(new URL('./cli/replay-parked.ts', import.meta.url));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', cli, 'fitbit', userId],
        {
          env: { ...process.env, DATABASE_URL: t.url },
        },
      );
      expect(stdout).toContain('1 parked item(s) of fitbit for parker are pending again');
      expect(await item('fitbit', userId, f!, 'food')).toMatchObject({ state: 'pending', attempts: 0 });
      const pushPending = await sql<{ n: number }>`
        select count(*)::int as n from sync.outbox where type = 'sync.push-pending'
          and envelope->'payload'->>'userId' = ${userId} and envelope->>'source' = 'sync-worker.replay-parked'`.execute(
        t.db,
      );
      expect(pushPending.rows[0]?.n).toBe(1);

      expect(await rig.sync(userId)).toMatchObject({ outcome: 'ok', pushed: 1 });
      expect(rig.fake.data.foods.list(fb).map((i) => i.data.calories)).toEqual([510]);
    } finally {
      await rig.close();
    }
  });
});
