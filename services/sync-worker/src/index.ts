export { createWorkerApp, diagnose, type WorkerMetrics, workerMetrics } from './app.js';
export { type CredentialsClient, createCredentialsClient, WorkerCredentials } from './credentials.js';
export { migrations, SCHEMA } from './db/migrations/index.js';
export {
  onConnected,
  onDisconnected,
  onNeedsReauth,
  onPreferencesChanged,
} from './handlers/connection.handler.js';
export { type DataChangedOutcome, onDataChanged } from './handlers/data-changed.handler.js';
export { partnerHttpFactory } from './partner-http.js';
export { pushBackoffMs, runSync, type SyncDeps, type SyncResult } from './sync-task.js';
export { startWorker, type WorkerDeps } from './worker.js';
