import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_create_auth_tables.js';
import * as m0002 from './0002_read_credential_function.js';

export const SCHEMA = 'auth';
export const migrations: Record<string, Migration> = {
  '0001_create_auth_tables': m0001,
  '0002_read_credential_function': m0002,
};
