import { createEvent, sql } from '@healthsync/platform';
import type { TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuietCommitter, type QuietResult, writeQuietResults } from './quiet-commit.js';
import { createSyncTestDatabase, nextFence } from './testing/harness.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createSyncTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

/** A connection row holding `fence` (as startSyncs leaves it). */
async function holding(userId: string, fence: number): Promise<void> {
  await sql`insert into sync.connections (partner, user_id, status, fence, poll_kinds, push_kinds)
    values ('withings', ${userId}, 'connected', ${fence}, '{measurement}', '{}')
    on conflict (partner, user_id) do update set fence = excluded.fence`.execute(t.db);
}

function quiet(userId: string, fence: number): QuietResult {
  const finishedAt = new Date();
  return {
    partner: 'withings',
    userId,
    fence,
    outcome: 'ok',
    finishedAt,
    event: createEvent(
      'sync.completed',
      {
        userId,
        partner: 'withings',
        fence,
        reasons: ['poll'],
        pushed: 0,
        pushPending: 0,
        polledNew: 0,
        polledKinds: ['measurement'],
        rejected: 0,
        outcome: 'ok',
        startedAt: finishedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
      },
      { source: 'sync-worker.withings' },
    ),
  };
}

async function state(userId: string) {
  const c = await sql<{ quiet_syncs: number; last_outcome: string | null }>`
    select quiet_syncs, last_outcome from sync.connections
    where partner = 'withings' and user_id = ${userId}`.execute(t.db);
  const outbox = await sql<{ fence: number }>`
    select (envelope->'payload'->>'fence')::bigint as fence from sync.outbox
    where envelope->'payload'->>'userId' = ${userId} order by seq`.execute(t.db);
  const log = await sql<{ n: number }>`
    select count(*)::int as n from sync.event_log
    where direction = 'emitted' and envelope->'payload'->>'userId' = ${userId}`.execute(t.db);
  return {
    quietSyncs: c.rows[0]?.quiet_syncs,
    lastOutcome: c.rows[0]?.last_outcome ?? null,
    outboxFences: outbox.rows.map((r) => Number(r.fence)),
    logged: log.rows[0]?.n ?? 0,
  };
}

describe('group commit of quiet syncs', () => {
  it('one statement for several connections: a stale fence in the group writes nothing, the others commit', async () => {
    const fresh = nextFence();
    const stale = nextFence();
    await holding('qc-a', fresh);
    await holding('qc-b', stale + 1000); // another worker took a newer fence meanwhile
    await holding('qc-c', fresh);
    const a = quiet('qc-a', fresh);
    const b = quiet('qc-b', stale);
    const c = quiet('qc-c', fresh);

    const committed = await writeQuietResults(t.db, [a, b, c]);

    expect(committed).toEqual(new Set([a.event.envelope.id, c.event.envelope.id]));
    expect(await state('qc-a')).toEqual({
      quietSyncs: 1,
      lastOutcome: 'ok',
      outboxFences: [fresh],
      logged: 1,
    });
    expect(await state('qc-b')).toEqual({ quietSyncs: 0, lastOutcome: null, outboxFences: [], logged: 0 });
    expect(await state('qc-c')).toEqual({
      quietSyncs: 1,
      lastOutcome: 'ok',
      outboxFences: [fresh],
      logged: 1,
    });
  });

  it('the committer groups concurrent results into fewer statements and tells each caller its own outcome', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `qc-many-${i}`);
    const fence = nextFence();
    for (const u of users) await holding(u, fence);
    // Every third one lost its fence to a newer sync.
    for (const [i, u] of users.entries()) if (i % 3 === 0) await holding(u, fence + 1);

    const committer = new QuietCommitter(t.db, { maxInFlight: 1 });
    const outcomes = await Promise.all(users.map((u) => committer.commit(quiet(u, fence))));

    expect(outcomes).toEqual(users.map((_, i) => i % 3 !== 0));
    const written = await sql<{ n: number; transactions: number }>`
      select count(*)::int as n, count(distinct xmin::text)::int as transactions from sync.outbox
      where envelope->'payload'->>'userId' like 'qc-many-%'`.execute(t.db);
    // Results issued in one turn of the event loop commit in one statement (one transaction).
    expect(written.rows[0]).toEqual({ n: users.filter((_, i) => i % 3 !== 0).length, transactions: 1 });
    for (const [i, u] of users.entries()) expect((await state(u)).quietSyncs).toBe(i % 3 === 0 ? 0 : 1);
  });

  it('a failing statement rejects every caller of its group, and the committer keeps working', async () => {
    const fence = nextFence();
    await holding('qc-fail', fence);
    const committer = new QuietCommitter(t.db);
    const bad = quiet('qc-fail', fence);
    // Two results with the same event id: the outbox's unique id refuses the whole statement.
    const twin = { ...quiet('qc-fail-twin', fence), event: bad.event };
    await holding('qc-fail-twin', fence);
    const outcomes = await Promise.allSettled([committer.commit(bad), committer.commit(twin)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await state('qc-fail')).toMatchObject({ quietSyncs: 0, outboxFences: [] });
    expect(await committer.commit(quiet('qc-fail', fence))).toBe(true);
    expect(await state('qc-fail')).toMatchObject({ quietSyncs: 1, outboxFences: [fence] });
  });
});
