import { sql } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncTestDatabase } from '../testing/harness.js';
import { pruneSyncLog, recentSyncs, syncLogInsert } from './sync-log.repository.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createSyncTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('sync log retention', () => {
  it('deletes rows finished before the cut, in batches, and keeps the rest', async () => {
    const day = 86_400_000;
    for (const age of [40, 35, 31, 2, 0]) {
      const at = new Date(Date.now() - age * day);
      const entry = {
        partner: 'fitbit',
        userId: 'kept',
        fence: 100 - age,
        reasons: ['poll'],
        outcome: 'partial',
        pushed: 0,
        polledNew: 1,
        rejected: [],
        pushFailures: [],
        startedAt: at,
        finishedAt: at,
      };
      await sql`with log as (${syncLogInsert(entry, sql`(select 1) as one`)}) select 1`.execute(t.db);
    }
    const cut = new Date(Date.now() - 30 * day);
    expect(await pruneSyncLog(t.db, cut, 2)).toBe(2);
    expect(await pruneSyncLog(t.db, cut, 2)).toBe(1);
    expect(await pruneSyncLog(t.db, cut, 2)).toBe(0);
    expect((await recentSyncs(t.db, 'fitbit', 'kept')).map((r) => r.fence)).toEqual([100, 98]);
  });
});
