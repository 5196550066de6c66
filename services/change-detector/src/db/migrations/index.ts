import { type Db, type Migrations, migrate } from '@healthsync/platform';
import * as m0001 from './0001_create_positions.js';

export const SCHEMA = 'change_detector';

export const migrations: Migrations = {
  '0001_create_positions': m0001,
};

/** The detector's schema: its positions, its overlap memory, and the platform's outbox and event log. */
export function migrateChangeDetector(db: Db): Promise<string[]> {
  return migrate(db, { schema: SCHEMA, migrations });
}
