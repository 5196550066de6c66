import { type Db, migrate } from '@healthsync/platform';
import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { PartnerDeclaration, RateLimit } from '../define-partner.js';
import { PartnerError } from '../errors.js';

/**
 * The shared rate budget of one partner: every worker process takes a token from it before each
 * partner call, for the app-wide limits and the user's own limits at once, so the partner's
 * limits are never exceeded however many workers run.
 *
 * Windows are counted in slots. A `fixed` limit (windows aligned to the clock: Fitbit's top of the
 * hour, Strava's quarter hours) is one slot per window. A `rolling` limit ("120 in any minute")
 * keeps the last `k` slots of `window / k` plus the current one and allows a call while their sum
 * is under the limit: any window of that length lies within those k + 1 slots, so the limit
 * holds strictly, at the cost of up to 1/(k + 1) of the throughput.
 */

export interface RateBudget {
  /**
   * Take one call for this user (and the app). Resolves once the call is allowed, waiting up to
   * `maxWaitMs`; throws `rate_limited` (with `retryAt`) when the wait would be longer.
   */
  take(userKey: string): Promise<void>;
  /** One attempt: allowed (and counted), or when to try again. */
  tryTake(userKey: string): Promise<{ allowed: true } | { allowed: false; retryAt: Date }>;
  /** The partner said stop (429, Retry-After, remaining 0): no calls in this scope until `until`. */
  block(userKey: string, scope: 'app' | 'user', until: Date): Promise<void>;
}

export interface RateBudgetOptions {
  partner: string;
  limits: readonly RateLimit[];
  /** How long `take` may wait for a slot before giving up with rate_limited (default 2 s). */
  maxWaitMs?: number;
  /** Slots per rolling window (default 10). */
  rollingSlots?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface BucketSpec {
  readonly bucket: string;
  readonly scope: 'app' | 'user';
  readonly limit: number;
  readonly slotMs: number;
  /** How many slots (current included) are summed. */
  readonly slots: number;
}

export function bucketSpecs(limits: readonly RateLimit[], rollingSlots = 10): BucketSpec[] {
  return limits.map((l) => {
    if (!(l.limit > 0) || !(l.windowSeconds > 0))
      throw new RangeError(`invalid rate limit ${l.limit}/${l.windowSeconds}s`);
    const rolling = (l.alignment ?? 'rolling') === 'rolling';
    const windowMs = l.windowSeconds * 1000;
    const k = rolling ? Math.max(1, Math.floor(rollingSlots)) : 1;
    return {
      bucket: `${l.scope}:${l.limit}/${l.windowSeconds}s:${rolling ? 'rolling' : 'fixed'}`,
      scope: l.scope,
      limit: l.limit,
      slotMs: Math.ceil(windowMs / k),
      slots: rolling ? k + 1 : 1,
    };
  });
}

function subject(scope: 'app' | 'user', userKey: string): string {
  return scope === 'app' ? 'app' : `user:${userKey}`;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function withWaiting(
  options: RateBudgetOptions,
  tryTake: RateBudget['tryTake'],
  block: RateBudget['block'],
  now: () => number,
): RateBudget {
  const maxWait = options.maxWaitMs ?? 2000;
  const sleep = options.sleep ?? defaultSleep;
  return {
    tryTake,
    block,
    async take(userKey) {
      for (;;) {
        const r = await tryTake(userKey);
        if (r.allowed) return;
        const wait = r.retryAt.getTime() - now();
        if (wait > maxWait)
          throw new PartnerError('rate_limited', `${options.partner}: rate budget exhausted`, {
            partner: options.partner,
            retryAt: r.retryAt,
          });
        await sleep(Math.max(1, wait));
      }
    },
  };
}

/* ------------------------------------------------------------------------- PostgreSQL budget */

export const RATE_BUDGET_SCHEMA = 'partner_budget';

export const rateBudgetMigrations: Record<string, Migration> = {
  '0001_create_buckets': {
    async up(db: Db) {
      await sql`
        create table partner_budget.buckets (
          partner text not null,
          bucket text not null,
          subject text not null,
          last_slot bigint not null,
          counts integer[] not null,
          primary key (partner, bucket, subject)
        )`.execute(db);
      await sql`
        create table partner_budget.blocks (
          partner text not null,
          subject text not null,
          until timestamptz not null,
          primary key (partner, subject)
        )`.execute(db);
    },
  },
};

/** Create or update the `partner_budget` schema (its own migration table; run by each worker at start). */
export async function migrateRateBudget(db: Db): Promise<string[]> {
  return migrate(db, { schema: RATE_BUDGET_SCHEMA, migrations: rateBudgetMigrations, platformTables: false });
}

interface TakeRow {
  ok: boolean;
  found: number | string;
  retry_at: Date | null;
}

/**
 * A budget shared by all processes through PostgreSQL. One statement locks the user's and the
 * app's bucket rows (in key order), rolls their slots forward to now (database clock), and
 * counts the call in every bucket only if all of them have room.
 */
export function createPgRateBudget(db: Db, options: RateBudgetOptions): RateBudget {
  const specs = bucketSpecs(options.limits, options.rollingSlots);
  const partner = options.partner;

  const take = async (userKey: string): Promise<TakeRow> => {
    const want = specs.map(
      (s) =>
        sql`(${s.bucket}::text, ${subject(s.scope, userKey)}::text, ${s.limit}::int, ${s.slotMs}::bigint, ${s.slots}::int)`,
    );
    const subjects = ['app', subject('user', userKey)];
    const result = await sql<TakeRow>`
      with want(bucket, subject, lim, slot_ms, slots) as (values ${sql.join(want)}),
      now_ms as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms),
      locked as (
        select b.bucket, b.subject, b.last_slot, b.counts, w.lim, w.slot_ms, w.slots
        from partner_budget.buckets b
        join want w on w.bucket = b.bucket and w.subject = b.subject
        where b.partner = ${partner}
        order by b.bucket, b.subject
        for update of b
      ),
      calc as (
        select l.*, greatest(n.ms / l.slot_ms, l.last_slot) as now_slot,
               greatest(n.ms / l.slot_ms - l.last_slot, 0) as shift
        from locked l cross join now_ms n
      ),
      shifted as (
        select c.*,
          case when c.shift >= c.slots then array_fill(0, array[c.slots])
               else c.counts[(c.shift + 1)::int : c.slots] || array_fill(0, array[c.shift::int])
          end as cur
        from calc c
      ),
      judged as (
        select s.*,
          (select coalesce(sum(x), 0) from unnest(s.cur) x) as total,
          (select min(j) from generate_series(1, s.slots) j
             where (select coalesce(sum(x), 0) from unnest(s.cur[j + 1 : s.slots]) x) < s.lim) as wait_slots
        from shifted s
      ),
      blocked as (
        select max(until) as until from partner_budget.blocks
        where partner = ${partner} and subject = any(${subjects}::text[]) and until > clock_timestamp()
      ),
      decision as (
        select coalesce(bool_and(total < lim), true) and (select until from blocked) is null as ok,
               count(*) as found,
               greatest(
                 max(case when total >= lim then to_timestamp(((now_slot + wait_slots) * slot_ms) / 1000.0) end),
                 (select until from blocked)
               ) as retry_at
        from judged
      ),
      upd as (
        update partner_budget.buckets b
        set last_slot = j.now_slot,
            counts = j.cur[1 : j.slots - 1] || (j.cur[j.slots] + 1)
        from judged j, decision d
        where d.ok and d.found = ${specs.length}
          and b.partner = ${partner} and b.bucket = j.bucket and b.subject = j.subject
        returning 1
      )
      select ok, found, retry_at from decision`.execute(db);
    const row = result.rows[0];
    if (!row) throw new Error('rate budget: no decision row');
    return row;
  };

  const ensure = async (userKey: string) => {
    const rows = specs.map(
      (s) =>
        sql`(${partner}, ${s.bucket}, ${subject(s.scope, userKey)}, 0, array_fill(0, array[${s.slots}::int]))`,
    );
    await sql`
      insert into partner_budget.buckets (partner, bucket, subject, last_slot, counts)
      values ${sql.join(rows)}
      on conflict do nothing`.execute(db);
  };

  const tryTake: RateBudget['tryTake'] = async (userKey) => {
    if (specs.length === 0) return { allowed: true };
    let row = await take(userKey);
    if (Number(row.found) < specs.length) {
      await ensure(userKey);
      row = await take(userKey);
    }
    if (row.ok && Number(row.found) === specs.length) return { allowed: true };
    return { allowed: false, retryAt: row.retry_at ?? new Date(Date.now() + 1000) };
  };

  const block: RateBudget['block'] = async (userKey, scope, until) => {
    await sql`
      insert into partner_budget.blocks (partner, subject, until)
      values (${partner}, ${subject(scope, userKey)}, ${until})
      on conflict (partner, subject) do update set until = greatest(partner_budget.blocks.until, excluded.until)`.execute(
      db,
    );
  };

  return withWaiting(options, tryTake, block, () => Date.now());
}

/* --------------------------------------------------------------------------- in-memory budget */

/**
 * The same algorithm in memory, for one process (tests, the local demo, conformance runs).
 * `now` is injectable so tests can move time.
 */
export function createMemoryRateBudget(options: RateBudgetOptions & { now?: () => number }): RateBudget {
  const specs = bucketSpecs(options.limits, options.rollingSlots);
  const now = options.now ?? (() => Date.now());
  const state = new Map<string, { lastSlot: number; counts: number[] }>();
  const blocks = new Map<string, number>();

  const tryTake: RateBudget['tryTake'] = async (userKey) => {
    const t = now();
    const blockedUntil = Math.max(blocks.get('app') ?? 0, blocks.get(subject('user', userKey)) ?? 0);
    const judged = specs.map((s) => {
      const key = `${s.bucket}|${subject(s.scope, userKey)}`;
      const st = state.get(key) ?? { lastSlot: 0, counts: new Array<number>(s.slots).fill(0) };
      const nowSlot = Math.max(Math.floor(t / s.slotMs), st.lastSlot);
      const shift = nowSlot - st.lastSlot;
      const cur =
        shift >= s.slots
          ? new Array<number>(s.slots).fill(0)
          : [...st.counts.slice(shift), ...new Array<number>(shift).fill(0)];
      const total = cur.reduce((a, b) => a + b, 0);
      let waitSlots = s.slots;
      for (let j = 1; j <= s.slots; j++) {
        if (cur.slice(j).reduce((a, b) => a + b, 0) < s.limit) {
          waitSlots = j;
          break;
        }
      }
      return { key, s, nowSlot, cur, total, retryAt: (nowSlot + waitSlots) * s.slotMs };
    });
    const full = judged.filter((j) => j.total >= j.s.limit);
    if (full.length > 0 || blockedUntil > t) {
      const retryAt = Math.max(blockedUntil, ...full.map((j) => j.retryAt));
      return { allowed: false, retryAt: new Date(retryAt) };
    }
    for (const j of judged) {
      const counts = [...j.cur];
      counts[counts.length - 1] = (counts[counts.length - 1] ?? 0) + 1;
      state.set(j.key, { lastSlot: j.nowSlot, counts });
    }
    return { allowed: true };
  };

  const block: RateBudget['block'] = async (userKey, scope, until) => {
    const key = subject(scope, userKey);
    blocks.set(key, Math.max(blocks.get(key) ?? 0, until.getTime()));
  };

  return withWaiting(options, tryTake, block, now);
}

/** The budget options a declaration implies. */
export function budgetOptionsFor(
  declaration: PartnerDeclaration,
  extra: Partial<RateBudgetOptions> = {},
): RateBudgetOptions {
  return { partner: declaration.id, limits: declaration.rateLimits, ...extra };
}
