import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_create_sync_tables.js';

export const SCHEMA = 'sync';
export const migrations: Record<string, Migration> = {
  '0001_create_sync_tables': m0001,
};
