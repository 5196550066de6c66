import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The platform's own tables, created in every service schema: outbox, inbox (processed event ids
 * per consumer) and the append-only event log. Never edited once landed: add a new entry instead.
 */
export function platformMigrations(schema: string): Record<string, Migration> {
  const s = (name: string) => `${schema}.${name}`;
  return {
    '0001_create_outbox': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable(s('outbox'))
          .addColumn('seq', 'bigserial', (c) => c.primaryKey())
          .addColumn('id', 'uuid', (c) => c.notNull().unique())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('routing_key', 'text', (c) => c.notNull())
          .addColumn('envelope', 'jsonb', (c) => c.notNull())
          .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('sent_at', 'timestamptz')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .execute();
        await sql`create index outbox_unsent on ${sql.table(s('outbox'))} (seq) where sent_at is null`.execute(
          db,
        );
      },
    },
    '0002_create_inbox': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable(s('inbox'))
          .addColumn('consumer', 'text', (c) => c.notNull())
          .addColumn('event_id', 'uuid', (c) => c.notNull())
          .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addPrimaryKeyConstraint('inbox_pk', ['consumer', 'event_id'])
          .execute();
      },
    },
    '0003_create_event_log': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable(s('event_log'))
          .addColumn('seq', 'bigserial', (c) => c.primaryKey())
          .addColumn('event_id', 'uuid', (c) => c.notNull())
          .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('consumed', 'emitted')`))
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('envelope', 'jsonb', (c) => c.notNull())
          .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addUniqueConstraint('event_log_event_direction', ['event_id', 'direction'])
          .execute();
        await sql`create index event_log_stream on ${sql.table(s('event_log'))} (stream, seq)`.execute(db);
        await sql`create index event_log_type on ${sql.table(s('event_log'))} (type, seq)`.execute(db);
      },
    },
    // The relay's pruner deletes inbox rows by age (the event log goes by its `seq` order instead).
    '0004_index_inbox_processed_at': {
      async up(db: Kysely<any>) {
        await sql`create index inbox_processed_at on ${sql.table(s('inbox'))} (processed_at)`.execute(db);
      },
    },
  };
}
