import type { Kysely } from 'kysely';

/**
 * Where a connection's pushes begin: app rows changed before it (less a margin for clocks) are
 * the user's history, not pushed unless edited later; rows changed since are pushed whichever of
 * `connection.connected` and their `shapeup.data-changed` the worker handles first. Null for
 * connections made before this column: every change the worker sees is pushed, as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync.connections').addColumn('push_since', 'timestamptz').execute();
}
