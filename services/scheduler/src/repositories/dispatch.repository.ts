import { type DbOrTx, outboxCtesFromQuery, PREPARED_MARK, sql } from '@healthsync/platform';
import { SCHEMA } from '../db/migrations/index.js';

export interface ClaimPartner {
  readonly partner: string;
  /** At most this many `sync.due` per tick. */
  readonly maxPerTick: number;
  /** Budget tokens (requests) one sync takes. */
  readonly requestsPerSync: number;
}

export interface ClaimOptions {
  readonly now: Date;
  readonly partners: readonly ClaimPartner[];
  readonly leaseMs: number;
  readonly maxLeaseDoublings: number;
  readonly notifyDebounceMs: number;
  /** The envelope's `source`. */
  readonly source: string;
  /** Run the statement under EXPLAIN ANALYZE and hand the plan here (benchmarks). */
  readonly explain?: (plan: string) => void;
}

export interface ClaimResult {
  /** `sync.due` written per partner in this tick. */
  readonly claimed: Readonly<Record<string, number>>;
  /** The cap each partner had in this tick (min of maxPerTick and its budget). */
  readonly caps: Readonly<Record<string, number>>;
}

const isoSql = (expr: ReturnType<typeof sql.raw>) =>
  sql`to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One dispatch tick in ONE statement (DESIGN.md §4, §8), however many connections are due:
 *
 * 1. lock each partner's app budgets (token buckets shared by every scheduler instance) and turn
 *    them into this tick's cap: min(maxPerTick, tokens available / requests per sync);
 * 2. per partner, take up to its cap of the earliest due rows from the `(partner, due_at)` index,
 *    `FOR UPDATE SKIP LOCKED` (O(due), never a scan; a concurrent instance skips them);
 * 3. lease them: fence + 1, lease expiry (doubled per unanswered lease), due again at expiry;
 * 4. write one `sync.due` per leased row to the outbox and the event log with the platform's
 *    `outboxCtesFromQuery` (the envelope `createEvent` makes, built from the claimed rows);
 * 5. take the tokens spent from the budgets.
 *
 * The statement commits on its own (autocommit): claims, outbox rows and budget are one atomic unit.
 *
 * The commit stays synchronous (`synchronous_commit` on): the relay may publish a `sync.due` as soon
 * as its commit is visible, and a commit lost in a crash would roll the fence back, so the same
 * fence would be leased again to another worker. A lost claim is not harmless, unlike the relay's
 * `sent_at` marks.
 */
export async function claimDue(db: DbOrTx, options: ClaimOptions): Promise<ClaimResult> {
  const partners = options.partners.map((p) => p.partner);
  if (partners.length === 0) return { claimed: {}, caps: {} };
  const now = options.now.toISOString();
  const lease = sql`(${now}::timestamptz + ${options.leaseMs}::float8
    * power(2, least(s.unanswered, ${options.maxLeaseDoublings}::int)) * interval '1 millisecond')`;
  const refilled = sql`least(b.capacity, b.tokens + greatest(0, extract(epoch from (${now}::timestamptz - b.updated_at)) * 1000)
    * b.refill_per_ms)`;
  // The text is the same on every call (values are parameters): kept prepared on a connection of
  // the platform's PreparingClient.
  const mark = options.explain ? '' : PREPARED_MARK;
  const statement = sql<{ partner: string; cap: number; n: number }>`${sql.raw(mark)}
    with caps_in as (
      select * from unnest(${partners}::text[], ${options.partners.map((p) => p.maxPerTick)}::int[],
        ${options.partners.map((p) => p.requestsPerSync)}::float8[]) as c(partner, max_per_tick, rps)
    ), budget as (
      select b.partner, ${refilled} as available
      from scheduler.dispatch_budgets b
      where b.partner = any(${partners}::text[])
      for update
    ), caps as (
      select c.partner, c.rps, greatest(0, least(c.max_per_tick::float8,
        coalesce((select floor(min(b.available) / c.rps) from budget b where b.partner = c.partner), c.max_per_tick)))::int as cap
      from caps_in c
    ), candidates as (
      select d.tid, d.partner, d.user_id, d.due_at
      from caps c cross join lateral (
        select s.ctid as tid, s.partner, s.user_id, s.due_at from scheduler.schedules s
        where s.partner = c.partner and s.due_at <= ${now}::timestamptz
        order by s.due_at
        limit c.cap
        for update skip locked
      ) d
      where c.cap > 0
    ), claimed as (
      update scheduler.schedules s set
        fence = s.fence + 1,
        unanswered = s.unanswered + 1,
        leased_at = ${now}::timestamptz,
        lease_expires_at = ${lease},
        due_at = ${lease},
        updated_at = ${now}::timestamptz
      -- By the ctids of the row versions locked above (a version chain is one row, and the lock
      -- keeps it still): a TID scan of exactly the claimed rows, never a join over the whole table.
      where s.ctid = any(array(select tid from candidates))
      returning s.partner, s.user_id, s.fence, s.lease_expires_at,
        array_remove(array[
          case when s.polls and s.poll_blocked_until <= ${now}::timestamptz then 'poll' end,
          case when s.push_pending > 0
            and coalesce(greatest(s.push_blocked_until, s.push_pending_at), '-infinity') <= ${now}::timestamptz
            then 'push' end,
          case when s.notified_at + ${options.notifyDebounceMs}::float8 * interval '1 millisecond' <= ${now}::timestamptz
            then 'notified' end,
          case when s.requested_at <= ${now}::timestamptz then 'requested' end
        ]::text[], null) as reasons
    ), ${outboxCtesFromQuery(SCHEMA, {
      type: 'sync.due',
      source: options.source,
      occurredAt: options.now,
      // Every value of the payload is a JSON literal made here, a JSON string from to_json, an
      // integer or a to_char timestamp, so the text is valid JSON.
      rows: sql`
        select 'sync.due.' || k.partner as routing_key, k.partner || ':' || k.user_id as stream,
          '{"userId":' || to_json(k.user_id) || ',"partner":' || to_json(k.partner)
          || ',"reasons":' || to_json(case when cardinality(k.reasons) = 0 then array['poll'] else k.reasons end)
          || ',"dueAt":"' || ${isoSql(sql.raw('c.due_at'))}
          || '","fence":' || k.fence
          || ',"leaseExpiresAt":"' || ${isoSql(sql.raw('k.lease_expires_at'))} || '"}' as payload
        from claimed k join candidates c on c.partner = k.partner and c.user_id = k.user_id`,
    })}, counts as (
      select c.partner, c.rps, c.cap, coalesce(e.n, 0)::int as n
      from caps c left join (select partner, count(*) as n from claimed group by partner) e using (partner)
    ), spent as (
      update scheduler.dispatch_budgets b set
        tokens = ${refilled} - n.n * n.rps,
        updated_at = greatest(b.updated_at, ${now}::timestamptz)
      from counts n
      where b.partner = n.partner
    )
    select partner, cap, n from counts`;
  if (options.explain) {
    const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers, wal) ${statement}`.execute(
      db,
    );
    options.explain(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    return { claimed: {}, caps: {} };
  }
  const { rows } = await statement.execute(db);
  const claimed: Record<string, number> = {};
  const caps: Record<string, number> = {};
  for (const r of rows) {
    caps[r.partner] = r.cap;
    if (r.n > 0) claimed[r.partner] = r.n;
  }
  return { claimed, caps };
}
