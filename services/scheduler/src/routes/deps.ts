import type { Clock, Db } from '@healthsync/platform';
import type { HandleResult } from '../handlers/index.js';
import type { SchedulerContext } from '../scheduler.js';

export interface AdminDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ctx: SchedulerContext;
  readonly onEvent?: (type: string, result: HandleResult) => void;
}
