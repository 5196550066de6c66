export {
  type AppChange,
  type ChangeCursor,
  type RereadWindow,
  readChangesAfter,
  readUserChangesAfter,
  rereadChanges,
  timestampFromMicros,
} from './changes.js';
export { APP_SCHEMA, appMigrations, migrateAppStore } from './db/migrations/index.js';
export {
  APP_TABLES,
  AppRowId,
  containerColumns,
  formatWithOffset,
  kindSpecs,
  rowToContainer,
  validateContainer,
} from './mapping.js';
export { type SeedOptions, type SeedResult, seedDemo } from './seed.js';
export {
  type AppRow,
  AppRowNotFoundError,
  type InvalidAppRow,
  type RejectedRow,
  readAppRows,
  readContainers,
  StoreRejectedError,
  type StoreRow,
  softDelete,
  storeContainers,
} from './store.js';
