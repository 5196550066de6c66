import { type Kysely, sql } from 'kysely';

/**
 * The app's tables as the app has them today (DESIGN.md §7). Healthsync never changes their
 * shape at runtime: no column, trigger or index is ever added for sync purposes. `updated_at` is
 * set by the app (default `now()`, the writing transaction's start time) and indexed, as is
 * `user_id`; rows are soft-deleted with `deleted_at`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table shapeup.users (
      id text primary key,
      email text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )`.execute(db);

  await sql`
    create table shapeup.exercises (
      id bigserial primary key,
      user_id text not null,
      activity_type text not null,
      name text not null,
      started_at timestamptz not null,
      utc_offset_minutes integer not null default 0,
      duration_seconds integer not null,
      calories numeric,
      calories_per_hour numeric,
      distance_meters numeric,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )`.execute(db);

  await sql`
    create table shapeup.food_entries (
      id bigserial primary key,
      user_id text not null,
      consumed_at timestamptz not null,
      utc_offset_minutes integer not null default 0,
      name text not null,
      meal text not null,
      calories numeric not null,
      protein_grams numeric,
      fat_grams numeric,
      carbs_grams numeric,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )`.execute(db);

  await sql`
    create table shapeup.body_measurements (
      id bigserial primary key,
      user_id text not null,
      kind text not null check (kind in ('weight', 'body_fat', 'height', 'waist')),
      value numeric not null,
      unit text not null,
      measured_at timestamptz not null,
      utc_offset_minutes integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )`.execute(db);

  for (const table of ['users', 'exercises', 'food_entries', 'body_measurements']) {
    await sql`create index ${sql.id(`${table}_updated_at`)} on ${sql.table(`shapeup.${table}`)} (updated_at)`.execute(
      db,
    );
  }
  for (const table of ['exercises', 'food_entries', 'body_measurements']) {
    await sql`create index ${sql.id(`${table}_user_id`)} on ${sql.table(`shapeup.${table}`)} (user_id)`.execute(
      db,
    );
  }
}
