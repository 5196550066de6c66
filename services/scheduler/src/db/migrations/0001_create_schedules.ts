import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations never import app types (CONVENTIONS.md)
type AnyDb = Kysely<any>;

/**
 * The schedule projection (one row per connection), the shared per-partner dispatch budgets and
 * the history of the policies in use. The platform's migrations create the outbox, inbox and event
 * log of the schema beside these.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    create table scheduler.schedules (
      partner text not null,
      user_id text not null,
      status text not null check (status in ('active', 'disconnected', 'needs_reauth')),
      polls boolean not null,
      pushes boolean not null,
      group_minutes double precision not null,
      group_since timestamptz not null,
      last_data_at timestamptz,
      policy_state jsonb,
      poll_blocked_until timestamptz,
      push_blocked_until timestamptz,
      hold_until timestamptz,
      failures integer not null default 0,
      push_pending integer not null default 0,
      push_pending_at timestamptz,
      notified_at timestamptz,
      last_notified_at timestamptz,
      requested_at timestamptz,
      fence bigint not null default 0,
      leased_at timestamptz,
      lease_expires_at timestamptz,
      unanswered integer not null default 0,
      last_sync_at timestamptz,
      last_outcome text,
      last_error text,
      connected_at timestamptz not null,
      updated_at timestamptz not null,
      due_at timestamptz,
      primary key (partner, user_id)
    )`.execute(db);
  // The dispatcher reads the due rows of each partner in due order: O(due), never a scan.
  await sql`create index schedules_due on scheduler.schedules (partner, due_at) where due_at is not null`.execute(
    db,
  );

  await sql`
    create table scheduler.dispatch_budgets (
      partner text not null,
      limit_key text not null,
      capacity double precision not null check (capacity > 0),
      refill_per_ms double precision not null check (refill_per_ms >= 0),
      tokens double precision not null,
      updated_at timestamptz not null,
      primary key (partner, limit_key)
    )`.execute(db);

  await sql`
    create table scheduler.policy_history (
      seq bigserial primary key,
      policy text not null,
      config jsonb not null,
      started_at timestamptz not null,
      from_log_seq bigint not null
    )`.execute(db);

  // RFC 9562 version 7 ids for the events the dispatch statement writes itself.
  await sql`
    create function scheduler.uuid_v7() returns uuid language sql volatile as $$
      select encode(
        set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
          placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
          from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
    $$`.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`drop function scheduler.uuid_v7()`.execute(db);
  await sql`drop table scheduler.policy_history`.execute(db);
  await sql`drop table scheduler.dispatch_budgets`.execute(db);
  await sql`drop table scheduler.schedules`.execute(db);
}
