export { migrateChangeDetector, migrations, SCHEMA } from './db/migrations/index.js';
export {
  type BatchReport,
  currentPositions,
  type DetectOptions,
  type DetectResult,
  detectOnce,
  type HeldBy,
  type KindPosition,
} from './detector.js';
export { checkPrerequisites } from './repositories/activity.repository.js';
