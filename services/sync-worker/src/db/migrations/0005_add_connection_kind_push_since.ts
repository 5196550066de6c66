import type { Kysely } from 'kysely';

/**
 * Where a kind's pushes begin when the user started pushing it after the connection was made
 * (`{kind: timestamptz}`): its rows last changed before then are history, as a connection's rows
 * before `push_since` are.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sync.connections')
    .addColumn('kind_push_since', 'jsonb', (c) => c.notNull().defaultTo('{}'))
    .execute();
}
