import { type Kysely, sql } from 'kysely';

/** The sync worker's own schema `sync` (DESIGN.md §2). Never edited once landed. */
export async function up(db: Kysely<any>): Promise<void> {
  // Projection of connection.* events for the partner(s) this schema's workers serve. A sync.due
  // for a connection the worker has not heard of yet leaves an `unknown` row holding its fence.
  await db.schema
    .createTable('sync.connections')
    .addColumn('partner', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('external_user_id', 'text')
    .addColumn('generation', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('connected', 'disconnected', 'needs_reauth', 'unknown')`),
    )
    .addColumn('poll_kinds', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('push_kinds', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // Highest sync.due fence a worker has started for this connection; a worker commits only while
    // it still holds the highest fence, so a stale worker's late commit changes nothing.
    .addColumn('fence', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_sync_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('connections_pk', ['partner', 'user_id'])
    .execute();

  // One row per (partner, kind, app row) <-> partner item.
  //   state: synced (the partner holds what the app holds), pending (an app change waits to be
  //   pushed: the sync reads the app row and creates, updates, replaces or deletes), parked (a push
  //   given up after repeated failures, until `replay-parked`), deleted (gone on both sides).
  //   content_hash: hash of what the partner holds, as far as we know (echo detection).
  //   in_flight_hash: a create was sent whose outcome is unknown (the worker may have died after
  //   the call): the next sync adopts the partner's item with this hash instead of creating twice.
  //   app_version: the newest app change seen; a push done for an older version leaves the item pending.
  await db.schema
    .createTable('sync.sync_items')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('partner', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('app_row_id', 'text')
    .addColumn('external_id', 'text')
    // 'app': created in the app and pushed; '<partner id>': fetched from that partner.
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('synced', 'pending', 'parked', 'deleted')`),
    )
    .addColumn('content_hash', 'text')
    .addColumn('in_flight_hash', 'text')
    .addColumn('app_version', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index sync_items_app_row on sync.sync_items (partner, user_id, kind, app_row_id) where app_row_id is not null`.execute(
    db,
  );
  await sql`create unique index sync_items_external on sync.sync_items (partner, user_id, kind, external_id) where external_id is not null`.execute(
    db,
  );
  await sql`create index sync_items_pending on sync.sync_items (partner, user_id, id) where state = 'pending' or in_flight_hash is not null`.execute(
    db,
  );
  await sql`create index sync_items_parked on sync.sync_items (partner, user_id) where state = 'parked'`.execute(
    db,
  );

  await db.schema
    .createTable('sync.cursors')
    .addColumn('partner', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cursors_pk', ['partner', 'user_id', 'kind'])
    .execute();

  // What an operator reads to answer "why does user U get no data from P?".
  await db.schema
    .createTable('sync.sync_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('partner', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('fence', 'bigint', (c) => c.notNull())
    .addColumn('reasons', sql`text[]`, (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('pushed', 'integer', (c) => c.notNull())
    .addColumn('polled_new', 'integer', (c) => c.notNull())
    .addColumn('rejected', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('push_failures', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index sync_log_connection on sync.sync_log (partner, user_id, id desc)`.execute(db);

  // Commit guard of a sync that writes several statements: locks the connection row and raises
  // unless the caller still holds the newest fence, so the whole transaction rolls back.
  await sql`
    create function sync.hold_fence(p_partner text, p_user_id text, p_fence bigint) returns boolean
    language plpgsql as $$
    begin
      perform 1 from sync.connections
        where partner = p_partner and user_id = p_user_id and fence = p_fence for update;
      if not found then
        raise exception 'stale fence % for % %', p_fence, p_partner, p_user_id using errcode = 'HS409';
      end if;
      return true;
    end $$`.execute(db);
}
