import { type DbOrTx, sql } from '@healthsync/platform';
import { z } from 'zod';

/**
 * What the server says about transactions in flight in this database, read from
 * `pg_stat_activity` and `pg_prepared_xacts`. `pg_stat_activity` is read once per transaction
 * (Postgres keeps that view stable until the transaction ends), so call {@link readHorizon} as the
 * first read of `pg_stat_activity` in a transaction, before the data reads.
 */
export interface OldestTransaction {
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string | null;
  /** Its start (`xact_start`, the value of `now()` inside it) in microseconds since the epoch. */
  readonly startUs: bigint;
}

export interface Horizon {
  /** `statement_timestamp()` of the reading statement (µs): before the next statement's snapshot. */
  readonly statementUs: bigint;
  /** The oldest transaction in flight in this database, other than the reader's own. */
  readonly oldest: OldestTransaction | null;
  /** Prepared (two-phase) transactions waiting in this database: their start is unknown. */
  readonly preparedTransactions: number;
}

const HorizonRow = z.object({
  statement_us: z.string(),
  prepared: z.number().int(),
  pid: z.number().int().nullable(),
  application_name: z.string().nullable(),
  state: z.string().nullable(),
  oldest_us: z.string().nullable(),
});

const micros = (expr: string) => sql.raw(`(extract(epoch from ${expr}) * 1000000)::bigint::text`);

export async function readHorizon(trx: DbOrTx): Promise<Horizon> {
  // Autovacuum workers and WAL senders never write app rows; every other backend might.
  const result = await sql`
    select ${micros('statement_timestamp()')} as statement_us,
      (select count(*)::int from pg_prepared_xacts where database = current_database()) as prepared,
      o.pid, o.application_name, o.state, ${micros('o.xact_start')} as oldest_us
    from (select 1) as one
    left join lateral (
      select pid, application_name, state, xact_start from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null
        and backend_type not in ('autovacuum worker', 'walsender')
      order by xact_start
      limit 1
    ) as o on true`.execute(trx);
  const r = HorizonRow.parse(result.rows[0]);
  return {
    statementUs: BigInt(r.statement_us),
    preparedTransactions: r.prepared,
    oldest:
      r.pid !== null && r.oldest_us !== null
        ? {
            pid: r.pid,
            applicationName: r.application_name ?? '',
            state: r.state,
            startUs: BigInt(r.oldest_us),
          }
        : null,
  };
}

const Prerequisites = z.object({ track_activities: z.string(), can_see_all: z.boolean() });

/**
 * The detector is only safe when it sees every session's transaction start: `track_activities`
 * on, and a role that is superuser or member of `pg_read_all_stats` (e.g. through `pg_monitor`).
 * Returns what is missing (empty when all is well).
 */
export async function checkPrerequisites(db: DbOrTx): Promise<string[]> {
  const result = await sql`
    select current_setting('track_activities') as track_activities,
      coalesce((select rolsuper from pg_roles where rolname = current_user), false)
        or pg_has_role(current_user, 'pg_read_all_stats', 'member') as can_see_all`.execute(db);
  const r = Prerequisites.parse(result.rows[0]);
  const problems: string[] = [];
  if (r.track_activities !== 'on')
    problems.push('track_activities must be on (pg_stat_activity.xact_start is needed)');
  if (!r.can_see_all)
    problems.push(
      'the database role must be a member of pg_read_all_stats (or pg_monitor) to see other sessions',
    );
  return problems;
}
