import { randomBytes } from 'node:crypto';
import { createDb } from '@healthsync/platform';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerError } from '../errors.js';
import { createPgRateBudget, migrateRateBudget } from './rate-budget.js';

// Our own uniquely named database (not hs_t_*: the integration tier's global setup drops those,
// including ones other runs are using at that moment).
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(query: string): Promise<void> {
  const db = createDb(ADMIN_URL, { max: 1 });
  try {
    await sql.raw(query).execute(db);
  } finally {
    await db.destroy();
  }
}

async function createOwnDatabase() {
  const name = `partner_kit_budget_${randomBytes(5).toString('hex')}`;
  await admin(`create database "${name}"`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const db = createDb(u.toString(), { max: 5 });
  return {
    url: u.toString(),
    db,
    async drop() {
      await db.destroy();
      await admin(`drop database if exists "${name}" with (force)`);
    },
  };
}

let t: Awaited<ReturnType<typeof createOwnDatabase>>;
let other: ReturnType<typeof createDb>;

beforeAll(async () => {
  t = await createOwnDatabase();
  expect(await migrateRateBudget(t.db)).toEqual(['0001_create_buckets']);
  expect(await migrateRateBudget(t.db)).toEqual([]);
  // A second "worker process": its own connection pool to the same database.
  other = createDb(t.url, { max: 5 });
});
afterAll(async () => {
  await other.destroy();
  await t.drop();
});

async function countAllowed(
  budgets: ReturnType<typeof createPgRateBudget>[],
  userKey: string,
  attempts: number,
) {
  const results = await Promise.all(
    Array.from({ length: attempts }, (_, i) => budgets[i % budgets.length]!.tryTake(userKey)),
  );
  return { allowed: results.filter((r) => r.allowed).length, results };
}

describe('PostgreSQL rate budget', () => {
  it('two workers taking concurrently never exceed a user limit, and the refusal says when to retry', async () => {
    const limits = [{ scope: 'user' as const, limit: 25, windowSeconds: 3600, alignment: 'fixed' as const }];
    const a = createPgRateBudget(t.db, { partner: 'fitlike', limits });
    const b = createPgRateBudget(other, { partner: 'fitlike', limits });
    const { allowed, results } = await countAllowed([a, b], 'user-1', 80);
    expect(allowed).toBe(25);
    const refused = results.find((r) => !r.allowed);
    const hour = 3600_000;
    const nextHour = Math.floor(Date.now() / hour) * hour + hour;
    expect(refused && !refused.allowed && refused.retryAt.getTime()).toBe(nextHour);
    // Another user has their own budget.
    expect((await a.tryTake('user-2')).allowed).toBe(true);
  });

  it('app and user windows are taken together: a call counts in both or in neither', async () => {
    const limits = [
      { scope: 'app' as const, limit: 30, windowSeconds: 3600, alignment: 'fixed' as const },
      { scope: 'user' as const, limit: 10, windowSeconds: 3600, alignment: 'fixed' as const },
    ];
    const a = createPgRateBudget(t.db, { partner: 'mixed', limits });
    const b = createPgRateBudget(other, { partner: 'mixed', limits });
    const users = ['u1', 'u2', 'u3', 'u4'];
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        (i % 2 ? a : b)
          .tryTake(users[i % users.length]!)
          .then((r) => ({ r, user: users[i % users.length]! })),
      ),
    );
    const allowed = results.filter((x) => x.r.allowed);
    expect(allowed).toHaveLength(30);
    for (const u of users) expect(allowed.filter((x) => x.user === u).length).toBeLessThanOrEqual(10);
    const rows = await sql<{ subject: string; total: number }>`
      select subject, (select sum(x) from unnest(counts) x)::int as total
      from partner_budget.buckets where partner = 'mixed' order by subject`.execute(t.db);
    const app = rows.rows.find((r) => r.subject === 'app');
    const userTotal = rows.rows.filter((r) => r.subject !== 'app').reduce((s, r) => s + r.total, 0);
    expect(app?.total).toBe(30);
    expect(userTotal).toBe(30);
  });

  it('a rolling window frees slots as time passes and never allows more than the limit in any window', async () => {
    const limits = [{ scope: 'app' as const, limit: 6, windowSeconds: 2, alignment: 'rolling' as const }];
    const a = createPgRateBudget(t.db, { partner: 'rolling', limits, rollingSlots: 4 });
    const b = createPgRateBudget(other, { partner: 'rolling', limits, rollingSlots: 4 });
    const granted: number[] = [];
    const deadline = Date.now() + 4500;
    let i = 0;
    while (Date.now() < deadline) {
      const r = await (i++ % 2 ? a : b).tryTake('any');
      if (r.allowed) granted.push(Date.now());
      else await new Promise((res) => setTimeout(res, 40));
    }
    // Sliding check over every grant: at most 6 grants in any 2-second window.
    for (const start of granted)
      expect(granted.filter((g) => g >= start && g < start + 2000).length).toBeLessThanOrEqual(6);
    expect(granted.length).toBeGreaterThanOrEqual(10);
  });

  it('take waits for a near slot, throws rate_limited when the slot is far, and blocks hold', async () => {
    const limits = [{ scope: 'user' as const, limit: 1, windowSeconds: 3600, alignment: 'fixed' as const }];
    const budget = createPgRateBudget(t.db, { partner: 'blocky', limits, maxWaitMs: 100 });
    await budget.take('u');
    const e = await budget.take('u').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(PartnerError);
    expect((e as PartnerError).code).toBe('rate_limited');
    expect((e as PartnerError).details.retryAt).toBeInstanceOf(Date);

    const until = new Date(Date.now() + 60_000);
    await budget.block('v', 'user', until);
    const r = await budget.tryTake('v');
    expect(r.allowed).toBe(false);
    expect(!r.allowed && Math.abs(r.retryAt.getTime() - until.getTime())).toBeLessThan(1000);
    expect((await budget.tryTake('w')).allowed).toBe(true);
    await budget.block('w', 'app', new Date(Date.now() + 300));
    const started = Date.now();
    const waiting = createPgRateBudget(t.db, { partner: 'blocky', limits, maxWaitMs: 2000 });
    await waiting.take('x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
