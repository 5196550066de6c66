import { type Kysely, sql } from 'kysely';

/**
 * The detector's read positions and the memory of what it emitted in the overlap window
 * (see src/detector.ts). Never imports app code; never touches the app's tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table change_detector.positions (
      kind text primary key,
      -- Every row that commits with (updated_at, id) <= (safe_at, safe_id), now or later, has
      -- been emitted; no transaction can still commit a row with updated_at <= safe_at.
      safe_at timestamptz not null,
      safe_id bigint not null,
      -- Rows up to (cursor_at, cursor_id) in (updated_at, id) order have been read at least once.
      cursor_at timestamptz not null,
      cursor_id bigint not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table change_detector.recent_emits (
      kind text not null,
      row_id bigint not null,
      -- The row's updated_at in microseconds when it was emitted.
      row_version bigint not null,
      -- The version sent in the event (higher than row_version when the row's updated_at went back).
      emitted_version bigint not null,
      primary key (kind, row_id, row_version)
    )`.execute(db);
  await sql`create index recent_emits_prune on change_detector.recent_emits (kind, emitted_version)`.execute(
    db,
  );
}
