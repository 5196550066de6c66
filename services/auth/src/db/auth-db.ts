import { createDb, type Db, PreparingClient } from '@healthsync/platform';

export interface AuthDbOptions {
  /** Pool size. */
  max: number;
  applicationName?: string;
}

/**
 * The auth service's database: the platform's pool, with its hot statements (marked with
 * `PREPARED_MARK`, e.g. the credential read of every internal credentials request) kept prepared
 * on each connection.
 */
export function createAuthDb(url: string, options: AuthDbOptions): Db {
  return createDb(url, { ...options, Client: PreparingClient });
}
