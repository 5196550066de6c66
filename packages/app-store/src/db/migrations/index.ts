import { type Db, type Migrations, migrate } from '@healthsync/platform';
import * as m0001 from './0001_create_app_tables.js';

/** The app's schema: the stand-in for the calorie-counter app's existing tables. */
export const APP_SCHEMA = 'shapeup';

export const appMigrations: Migrations = {
  '0001_create_app_tables': m0001,
};

/**
 * Create the app's tables (the app's own migration in production; here for tests, the demo and
 * local runs). The app owns no outbox: `platformTables` is off.
 */
export function migrateAppStore(db: Db): Promise<string[]> {
  return migrate(db, { schema: APP_SCHEMA, migrations: appMigrations, platformTables: false });
}
