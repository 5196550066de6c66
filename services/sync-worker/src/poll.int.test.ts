import type { DataKind } from '@healthsync/contracts';
import type { Container, KindResource, PolledItem } from '@healthsync/partner-kit';
import type { FakeId } from '@healthsync/partners/fakes';
import { sql } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from './content-hash.js';
import { recentSyncs } from './repositories/sync-log.repository.js';
import {
  captureLogger,
  createSyncTestDatabase,
  type FakeOptionsOf,
  type PartnerRig,
  startPartner,
} from './testing/harness.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createSyncTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const TABLE: Record<DataKind, string> = {
  measurement: 'body_measurements',
  exercise: 'exercises',
  food: 'food_entries',
};

/** The user's app rows of one kind, as containers, by app row id. */
async function appRows(
  userId: string,
): Promise<{ kind: DataKind; id: string; unit?: string; value?: number }[]> {
  const out: { kind: DataKind; id: string; unit?: string; value?: number }[] = [];
  for (const [kind, table] of Object.entries(TABLE) as [DataKind, string][]) {
    const r = await sql<{ id: string; unit?: string; value?: string }>`
      select id::text as id, ${kind === 'measurement' ? sql`unit, value::text as value` : sql`null as unit, null as value`}
      from ${sql.table(`shapeup.${table}`)} where user_id = ${userId} and deleted_at is null`.execute(t.db);
    for (const row of r.rows)
      out.push({ kind, id: row.id, ...(row.unit ? { unit: row.unit, value: Number(row.value) } : {}) });
  }
  return out;
}

async function items(partner: string, userId: string) {
  const r = await sql<{
    kind: string;
    app_row_id: string;
    external_id: string;
    origin: string;
    content_hash: string;
  }>`
    select kind, app_row_id, external_id, origin, content_hash from sync.sync_items
    where partner = ${partner} and user_id = ${userId}`.execute(t.db);
  return r.rows;
}

/** Everything the partner holds for the account, read independently from the first page. */
async function partnerHolds(rig: PartnerRig<FakeId>, userId: string, kinds: readonly DataKind[]) {
  const http = await rig.deps.httpFor({
    partner: rig.id,
    user_id: userId,
    external_user_id: (await rig.credentials.get(rig.id, userId)).externalUserId ?? '',
    generation: rig.resolved.current,
    status: 'connected',
    poll_kinds: [],
    push_kinds: [],
    fence: 0,
    last_sync_at: null,
    last_outcome: null,
    last_finished_at: null,
    quiet_syncs: 0,
  });
  const ctx = {
    http,
    externalUserId: (await rig.credentials.get(rig.id, userId)).externalUserId ?? '',
    generation: rig.resolved.current,
    now: new Date(),
  };
  const out = new Map<string, PolledItem>();
  for (const kind of kinds) {
    const resource = rig.api.resources[kind] as KindResource<Container> | undefined;
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await resource!.poll!(ctx, cursor);
      for (const item of r.items) out.set(`${kind}:${item.externalId}`, item);
      cursor = r.nextCursor ?? cursor;
      if (!r.more) break;
    }
  }
  return out;
}

const generous: { [K in FakeId]: FakeOptionsOf<K> } = {
  withings: { rateLimitPerMinute: 100_000 },
  fitbit: { hourlyLimit: 100_000 },
  runkeeper: { userLimitPer15Min: 100_000 },
  moves: { minuteLimit: 100_000, hourLimit: 100_000 },
  strava: { limits: { overall: [100_000, 1_000_000], read: [100_000, 1_000_000] } },
};

describe.each(['withings', 'fitbit', 'runkeeper', 'moves', 'strava'] as const)('polling %s', (id) => {
  let rig: PartnerRig<FakeId>;
  beforeAll(async () => {
    rig = (await startPartner(id, { db: t.db, fakeOptions: generous[id] as never })) as PartnerRig<FakeId>;
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('stores what the partner holds exactly once, in metric units, however often it syncs', async () => {
    const userId = `poll-${id}`;
    // New Withings accounts start empty; its fake seeds demo accounts with four weeks of history.
    const demo = 'demoUserIds' in rig.fake ? { externalUser: String(rig.fake.demoUserIds[0]) } : {};
    await rig.connect(userId, demo);
    const first = await rig.sync(userId);
    expect(first.outcome).toBe('ok');
    for (let n = 0; n < 3; n++) {
      const again = await rig.sync(userId);
      expect(again.outcome).toBe('ok');
      expect(again.polledNew).toBe(0);
    }

    const kinds = (Object.keys(rig.api.declaration.capabilities) as DataKind[]).filter(
      (k) => rig.api.declaration.capabilities[k]?.poll,
    );
    const holds = await partnerHolds(rig, userId, kinds);
    const stored = await items(id, userId);
    const rows = await appRows(userId);
    expect(holds.size).toBeGreaterThan(0);
    expect(first.polledNew).toBe(holds.size);
    // One sync item and one app row per partner item, and nothing else.
    expect(new Set(stored.map((s) => `${s.kind}:${s.external_id}`))).toEqual(new Set(holds.keys()));
    expect(stored).toHaveLength(holds.size);
    expect(rows).toHaveLength(holds.size);
    expect(new Set(stored.map((s) => s.app_row_id))).toEqual(new Set(rows.map((r) => r.id)));
    for (const s of stored) {
      expect(s.origin).toBe(id);
      expect(s.content_hash).toBe(contentHash(holds.get(`${s.kind}:${s.external_id}`)!.data));
    }
    for (const r of rows.filter((row) => row.kind === 'measurement'))
      expect(['kg', '%', 'cm']).toContain(r.unit);
  });
});

describe('units and rejections', () => {
  it('converts Withings values (10^unit, metres) to the app units', async () => {
    const rig = await startPartner('withings', { db: t.db, fakeOptions: { rateLimitPerMinute: 100_000 } });
    try {
      const account = rig.fake.controls.createUser();
      const when = Math.floor(Date.now() / 1000) - 3600;
      rig.fake.store.addGroup(Number(account), { date: when, values: { 1: 72.355, 6: 18.5, 4: 1.78 } });
      await rig.connect('units-withings', { externalUser: account });
      const result = await rig.sync('units-withings');
      expect(result).toMatchObject({ outcome: 'ok', polledNew: 3 });
      const rows = await appRows('units-withings');
      expect(rows.map((r) => [r.unit, r.value]).sort()).toEqual([
        ['%', 18.5],
        ['cm', 178],
        ['kg', 72.355],
      ]);
    } finally {
      await rig.close();
    }
  });

  it('rejects partner items missing required fields with a logged reason and stores the rest', async () => {
    const { logger, lines } = captureLogger();
    const rig = await startPartner('runkeeper', { db: t.db, logger, fakeOptions: { demoData: false } });
    try {
      const account = rig.fake.controls.createUser();
      const at = (h: number) => new Date(Date.now() - h * 3600_000).toUTCString().replace(' GMT', '');
      const good = rig.fake.data.nutrition.insert(account, { timestamp: at(3), calories: 650, protein: 30 });
      const alsoGood = rig.fake.data.nutrition.insert(account, { timestamp: at(2), calories: 120 });
      const noCalories = rig.fake.data.nutrition.insert(account, { timestamp: at(1), protein: 12 });
      await rig.connect('rejects-runkeeper', { externalUser: account, poll: ['food'] });
      const result = await rig.sync('rejects-runkeeper');
      expect(result).toMatchObject({ outcome: 'ok', polledNew: 2, rejected: 1 });

      const stored = await items('runkeeper', 'rejects-runkeeper');
      expect(stored.map((s) => s.external_id).sort()).toEqual(
        [`/nutrition/${good.id}`, `/nutrition/${alsoGood.id}`].sort(),
      );
      const [log] = await recentSyncs(t.db, 'runkeeper', 'rejects-runkeeper', 1);
      expect(log?.rejected).toEqual([
        { kind: 'food', externalId: `/nutrition/${noCalories.id}`, reason: 'food has no calories' },
      ]);
      expect(
        lines.some((l) => l.msg === 'partner item rejected' && l.reason === 'food has no calories'),
      ).toBe(true);

      // The rejected item stays rejected (logged again) and never half-stored; the good ones stay single.
      await rig.sync('rejects-runkeeper');
      expect(await items('runkeeper', 'rejects-runkeeper')).toHaveLength(2);
      expect((await appRows('rejects-runkeeper')).filter((r) => r.kind === 'food')).toHaveLength(2);
    } finally {
      await rig.close();
    }
  });
});
