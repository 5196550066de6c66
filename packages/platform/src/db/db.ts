import { Kysely, type Kysely as KyselyType, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { PreparingClient } from './prepared.js';

// bigint (int8) and numeric come back as strings by default; counts and sequence values fit in a
// JS number for this system, so parse int8 as number. Timestamps stay Date.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type Db = KyselyType<any>;
export type Tx = Transaction<any>;
export type DbOrTx = Db | Tx;

export interface CreateDbOptions {
  /** Pool size; services default to 10. */
  max?: number;
  applicationName?: string;
  /** The pg client class: by default `PreparingClient`, which keeps statements marked with
   * `PREPARED_MARK` prepared on each connection and runs the rest as any client does. */
  Client?: typeof pg.Client;
}

export function createDb(url: string, options: CreateDbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'healthsync',
    Client: options.Client ?? PreparingClient,
  });
  // A client losing its connection (idle, or mid-query: the query itself rejects) must not crash
  // the process with an unhandled 'error' event; the pool replaces the client.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
}

/** Run `fn` in one transaction; commit if it resolves, roll back if it throws. */
export function withTransaction<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

export { sql };
