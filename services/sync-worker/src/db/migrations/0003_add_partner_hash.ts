import type { Kysely } from 'kysely';

/**
 * What an item we pushed looks like when the partner gives it back. Partners store our data in
 * their own representation (RunKeeper returns local times as UTC, Fitbit rounds): the first copy a
 * poll brings back after a push is the partner-side baseline, not an edit, and only a later
 * difference from it is a change made at the partner.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync.sync_items').addColumn('partner_hash', 'text').execute();
}
