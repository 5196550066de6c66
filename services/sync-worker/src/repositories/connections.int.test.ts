import { sql } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncTestDatabase, nextFence } from '../testing/harness.js';
import { startSyncs } from './connections.repository.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createSyncTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function connected(userId: string, fence: number): Promise<void> {
  await sql`insert into sync.connections (partner, user_id, external_user_id, status, fence, poll_kinds, push_kinds)
    values ('withings', ${userId}, ${`ext-${userId}`}, 'connected', ${fence}, '{measurement}', '{}')`.execute(
    t.db,
  );
}

describe('startSyncs', () => {
  it('starts several syncs in one statement, each taking its own fence or nothing, answered in request order', async () => {
    const fence = nextFence();
    await connected('ss-a', fence);
    await connected('ss-b', fence + 100);
    await sql`insert into sync.cursors (partner, user_id, kind, cursor)
      values ('withings', 'ss-a', 'measurement', 'c-42')`.execute(t.db);
    const now = new Date();

    const [b, unknown, a] = await startSyncs(t.db, [
      { partner: 'withings', userId: 'ss-b', fence: fence + 1, now }, // older than its fence: stale
      { partner: 'withings', userId: 'ss-new', fence: fence + 1, now },
      { partner: 'withings', userId: 'ss-a', fence: fence + 1, now },
    ]);

    expect(b).toBeUndefined();
    expect(a).toMatchObject({
      connection: { user_id: 'ss-a', status: 'connected', fence: fence + 1, external_user_id: 'ext-ss-a' },
      cursors: { measurement: 'c-42' },
      pendingCount: 0,
      inFlightKinds: [],
    });
    // Not heard of yet: an `unknown` row holds the fence until connection.connected arrives.
    expect(unknown).toMatchObject({ connection: { user_id: 'ss-new', status: 'unknown', fence: fence + 1 } });
    const fences = await sql<{ user_id: string; fence: number }>`
      select user_id, fence from sync.connections where user_id like 'ss-%' order by user_id`.execute(t.db);
    expect(fences.rows).toEqual([
      { user_id: 'ss-a', fence: fence + 1 },
      { user_id: 'ss-b', fence: fence + 100 },
      { user_id: 'ss-new', fence: fence + 1 },
    ]);
    // The same fence again (a redelivered sync.due) gets nothing.
    expect(await startSyncs(t.db, [{ partner: 'withings', userId: 'ss-a', fence: fence + 1, now }])).toEqual([
      undefined,
    ]);
  });
});
