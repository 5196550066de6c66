import { type Kysely, sql } from 'kysely';

/**
 * The credential read of every internal credentials request as a PL/pgSQL function: PostgreSQL
 * plans its query once per connection and reuses the plan, where a plain statement is parsed and
 * planned on every call (the larger part of its database time). Same columns, same snapshot rules
 * (STABLE: it sees what the calling statement sees). Never edited once landed: a change is a new
 * migration with `create or replace`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations never import app types (CONVENTIONS.md)
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function auth.usable_credential(p_user_id text, p_partner text)
    returns table (
      user_id text, partner text, auth_generation text, epoch integer, key_id text, sealed bytea,
      access_expires_at timestamptz, refreshable boolean, refreshed_at timestamptz, version integer,
      status text, external_user_id text
    )
    language plpgsql stable
    as $$
    begin
      return query
        select cr.user_id, cr.partner, cr.auth_generation, cr.epoch, cr.key_id, cr.sealed,
          cr.access_expires_at, cr.refreshable, cr.refreshed_at, cr.version, c.status, c.external_user_id
        from auth.credentials cr join auth.connections c on c.user_id = cr.user_id and c.partner = cr.partner
        where cr.user_id = p_user_id and cr.partner = p_partner;
    end
    $$`.execute(db);
}
