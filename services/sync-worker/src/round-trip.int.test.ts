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
let runkeeper: PartnerRig<'runkeeper'>;

beforeAll(async () => {
  t = await createSyncTestDatabase();
  runkeeper = await startPartner('runkeeper', { db: t.db, fakeOptions: { demoData: false } });
});
afterAll(async () => {
  await runkeeper?.close();
  await t?.drop();
});

describe('a partner that gives our data back in its own representation', () => {
  it('RunKeeper returns a pushed weight with its local time as UTC: the app row keeps its time, nothing bounces', async () => {
    const userId = 'round-trip-user';
    await runkeeper.connect(userId);
    const feed = new AppChangeFeed(t.db);
    await deliverAppChanges(feed, [runkeeper as PartnerRig<never>]);
    // 08:30 in a +02:00 zone: RunKeeper stores "08:30" without an offset and reads it back as 08:30Z.
    await sql`insert into shapeup.body_measurements (user_id, kind, value, unit, measured_at, utc_offset_minutes)
      values (${userId}, 'weight', 72.5, 'kg', '2026-11-20T08:30:00+02:00', 120)`.execute(t.db);

    const moved: number[] = [];
    for (let round = 0; round < 6; round++) {
      let n = await deliverAppChanges(feed, [runkeeper as PartnerRig<never>]);
      const r = await runkeeper.sync(userId);
      expect(r.outcome).toBe('ok');
      n += r.pushed + r.polledNew;
      moved.push(n);
    }

    const rows = await sql<{ measured_at: Date; utc_offset_minutes: number; value: string }>`
      select measured_at, utc_offset_minutes, value::text from shapeup.body_measurements
      where user_id = ${userId} and deleted_at is null`.execute(t.db);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]?.measured_at.toISOString()).toBe('2026-11-20T06:30:00.000Z');
    expect(rows.rows[0]?.utc_offset_minutes).toBe(120);
    expect(moved.slice(-3)).toEqual([0, 0, 0]);
  });
});
