import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations never import app types (CONVENTIONS.md)
type AnyDb = Kysely<any>;

/**
 * Snapshots of the schedule projection, so the event log need not be kept for good: `rebuild`
 * starts from the newest snapshot and folds only the events logged after `log_seq`, and the log's
 * rows up to it can go once they are older than the history `replay` reads. A snapshot's rows are
 * the schedule rows as they were (`like scheduler.schedules`): a migration that adds a column to
 * the schedules adds it here too. One partition per snapshot (`snapshot_schedules_<id>`, made with
 * it), so an old snapshot is dropped, not deleted row by row.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    create table scheduler.snapshots (
      id bigserial primary key,
      log_seq bigint not null,
      taken_at timestamptz not null default now(),
      row_count bigint not null default 0
    )`.execute(db);
  await sql`
    create table scheduler.snapshot_schedules (
      snapshot_id bigint not null references scheduler.snapshots (id) on delete cascade,
      like scheduler.schedules,
      primary key (snapshot_id, partner, user_id)
    ) partition by list (snapshot_id)`.execute(db);
}
