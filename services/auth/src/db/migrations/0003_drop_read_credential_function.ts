import { type Kysely, sql } from 'kysely';

/**
 * Drops `auth.usable_credential` (migration 0002): the credential read is a statement of
 * credentials.repository.ts again, kept prepared on each connection (the platform's
 * PreparingClient), which reuses its plan as the function did. Never edited once landed.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations never import app types (CONVENTIONS.md)
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop function auth.usable_credential(text, text)`.execute(db);
}
