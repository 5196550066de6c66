import { type Kysely, sql } from 'kysely';

/** The auth service's own schema `auth` (DESIGN.md §2). Never edited once landed. */
// biome-ignore lint/suspicious/noExplicitAny: migrations never import app types (CONVENTIONS.md)
export async function up(db: Kysely<any>): Promise<void> {
  // One row per (user, partner), kept after a disconnect so a reconnect can tell whether the
  // same partner account came back. `epoch` counts connects; it is part of the credentials' AAD.
  await sql`
    create table auth.connections (
      user_id text not null,
      partner text not null,
      status text not null check (status in ('connected', 'needs_reauth', 'disconnected')),
      auth_generation text not null,
      epoch integer not null default 1,
      external_user_id text,
      data_types jsonb not null,
      auth_failures integer not null default 0,
      last_error_code text,
      last_error text,
      last_error_at timestamptz,
      connected_at timestamptz not null,
      disconnected_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (user_id, partner)
    )`.execute(db);
  // Webhooks name the partner's account: map it to our users.
  await sql`
    create index connections_external on auth.connections (partner, external_user_id)
    where status <> 'disconnected'`.execute(db);

  // Encrypted credentials (AES-256-GCM); `version` increases with every write of the tokens.
  await sql`
    create table auth.credentials (
      user_id text not null,
      partner text not null,
      auth_generation text not null,
      epoch integer not null,
      key_id text not null,
      sealed bytea not null,
      access_expires_at timestamptz,
      refreshable boolean not null,
      refreshed_at timestamptz not null,
      version integer not null default 1,
      primary key (user_id, partner),
      foreign key (user_id, partner) references auth.connections (user_id, partner) on delete cascade
    )`.execute(db);
  await sql`create index credentials_idle on auth.credentials (refreshed_at, user_id, partner) where refreshable`.execute(
    db,
  );

  // Cross-process single flight of refreshes: one row per connection being refreshed, with a TTL.
  await sql`
    create table auth.refresh_locks (
      user_id text not null,
      partner text not null,
      holder uuid not null,
      expires_at timestamptz not null,
      primary key (user_id, partner)
    )`.execute(db);

  // Authorizations in progress: `state` is stored as its SHA-256 only; the PKCE verifier or the
  // OAuth 1.0a request-token secret is sealed like the credentials.
  await sql`
    create table auth.pending_authorizations (
      state_hash bytea primary key,
      user_id text not null,
      partner text not null,
      auth_generation text not null,
      kind text not null check (kind in ('oauth2', 'oauth1')),
      redirect_uri text not null,
      return_url text not null,
      data_types jsonb not null,
      request_token_hash bytea,
      key_id text,
      sealed bytea,
      created_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index pending_authorizations_expiry on auth.pending_authorizations (expires_at)`.execute(
    db,
  );
}
