import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_create_schedules.js';
import * as m0002 from './0002_create_snapshots.js';

export const SCHEMA = 'scheduler';
export const migrations: Record<string, Migration> = {
  '0001_create_schedules': m0001,
  '0002_create_snapshots': m0002,
};
