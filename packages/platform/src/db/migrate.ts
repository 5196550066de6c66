import { sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import type { Db } from './db.js';
import { platformMigrations } from './platform-migrations.js';

export type Migrations = Record<string, Migration>;

export interface MigrateOptions {
  /** The service's own schema (DESIGN.md §2): `auth`, `scheduler`, `sync`, ... */
  schema: string;
  /** The service's migrations, named `NNNN_<verb>_<object>`. */
  migrations: Migrations;
  /** Also create the outbox, inbox and event log in this schema (default true). */
  platformTables?: boolean;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

function check(result: MigrationResultSet, what: string): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(
      `${what}: migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`,
    );
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Migrate one service schema to latest: the platform's tables first (their own migration table),
 * then the service's. Each schema has its own migration and lock tables, so services migrate
 * independently and concurrently. Returns the names of the migrations that ran.
 */
export async function migrate(db: Db, options: MigrateOptions): Promise<string[]> {
  const { schema } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new MigrationError(`invalid schema name ${schema}`);
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const ran: string[] = [];
  if (options.platformTables ?? true) {
    const platform = new Migrator({
      db,
      provider: { getMigrations: async () => platformMigrations(schema) },
      migrationTableSchema: schema,
      migrationTableName: 'platform_migrations',
      migrationLockTableName: 'platform_migrations_lock',
    });
    ran.push(...check(await platform.migrateToLatest(), `${schema} platform tables`));
  }
  const own = new Migrator({
    db,
    provider: { getMigrations: async () => options.migrations },
    migrationTableSchema: schema,
    migrationTableName: 'migrations',
    migrationLockTableName: 'migrations_lock',
  });
  ran.push(...check(await own.migrateToLatest(), schema));
  return ran;
}
