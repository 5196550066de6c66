import { sql } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppChangeFeed,
  createSyncTestDatabase,
  deliverAppChanges,
  type PartnerRig,
  startPartner,
} from './testing/harness.js';

let t: TestDatabase;
let withings: PartnerRig<'withings'>;
let fitbit: PartnerRig<'fitbit'>;
let runkeeper: PartnerRig<'runkeeper'>;

beforeAll(async () => {
  t = await createSyncTestDatabase();
  withings = await startPartner('withings', { db: t.db, fakeOptions: { rateLimitPerMinute: 100_000 } });
  fitbit = await startPartner('fitbit', { db: t.db, fakeOptions: { seed: false } });
  runkeeper = await startPartner('runkeeper', { db: t.db, fakeOptions: { demoData: false } });
});
afterAll(async () => {
  for (const rig of [withings, fitbit, runkeeper]) await rig?.close();
  await t?.drop();
});

describe('echo', () => {
  it('a weight measured on Withings ends as one app row and one entry at Fitbit and at RunKeeper', async () => {
    const userId = 'echo-user';
    const account = withings.fake.controls.createUser();
    withings.fake.store.addGroup(Number(account), {
      date: Math.floor(Date.now() / 1000) - 2 * 3600,
      values: { 1: 81.234 },
    });
    await withings.connect(userId, { externalUser: account });
    const fb = await fitbit.connect(userId);
    const rk = await runkeeper.connect(userId);
    const rigs = [withings, fitbit, runkeeper] as PartnerRig<never>[];
    const feed = new AppChangeFeed(t.db);

    const moved: number[] = [];
    for (let round = 0; round < 10; round++) {
      let n = 0;
      for (const rig of rigs) {
        const r = await rig.sync(userId);
        expect(r.outcome).toBe('ok');
        n += r.pushed + r.polledNew;
      }
      // The app's writes (stored polls) become data-changed events for every worker.
      n += await deliverAppChanges(feed, rigs);
      moved.push(n);
    }

    const rows = await sql<{ value: string; deleted: boolean }>`
      select value::text, deleted_at is not null as deleted from shapeup.body_measurements where user_id = ${userId}`.execute(
      t.db,
    );
    expect(rows.rows).toEqual([{ value: '81.234', deleted: false }]);
    expect(fitbit.fake.data.weight.list(fb).map((i) => i.data.value)).toHaveLength(1);
    expect(runkeeper.fake.data.weight.list(rk).map((i) => i.data.weight)).toHaveLength(1);
    expect(withings.fake.store.user(Number(account))?.groups).toHaveLength(1);

    const items = await sql<{ partner: string; origin: string; state: string }>`
      select partner, origin, state from sync.sync_items where user_id = ${userId} order by partner`.execute(
      t.db,
    );
    expect(items.rows).toEqual([
      { partner: 'fitbit', origin: 'app', state: 'synced' },
      { partner: 'runkeeper', origin: 'app', state: 'synced' },
      { partner: 'withings', origin: 'withings', state: 'synced' },
    ]);
    // It settles: after the first rounds nothing moves any more.
    expect(moved.slice(-5)).toEqual([0, 0, 0, 0, 0]);
  });
});
