import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_create_sync_tables.js';
import * as m0002 from './0002_add_connection_sync_summary.js';
import * as m0003 from './0003_add_partner_hash.js';
import * as m0004 from './0004_add_connection_push_since.js';
import * as m0005 from './0005_add_connection_kind_push_since.js';

export const SCHEMA = 'sync';
export const migrations: Record<string, Migration> = {
  '0001_create_sync_tables': m0001,
  '0002_add_connection_sync_summary': m0002,
  '0003_add_partner_hash': m0003,
  '0004_add_connection_push_since': m0004,
  '0005_add_connection_kind_push_since': m0005,
};
