import { type Kysely, sql } from 'kysely';

/**
 * A sync that moved nothing and met no problem is not logged row by row (at millions of
 * connections polled every few minutes that would be most of the log): the connection keeps its
 * last outcome and how many quiet syncs followed the last logged one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table sync.connections
    add column last_outcome text,
    add column last_finished_at timestamptz,
    add column quiet_syncs integer not null default 0`.execute(db);
  // Retention sweeps delete the oldest log rows by time.
  await sql`create index sync_log_finished_at on sync.sync_log (finished_at)`.execute(db);
}
