import { baseEnv, envBoolean, envInt, loadEnv } from '@healthsync/platform';
import { z } from 'zod';
import { DEFAULT_DISPATCH_CONFIG, DEFAULT_SCHEDULE_CONFIG, type DispatchConfig } from './config.js';
import { policyNames } from './policy/index.js';
import type { SchedulerContextOptions } from './scheduler.js';

const DAY_MS = 24 * 3600_000;

const groupList = z
  .string()
  .default('5,20,60')
  .transform((v, c) => {
    const groups = v.split(',').map((s) => Number(s.trim()));
    if (
      groups.some((g) => !Number.isFinite(g) || g <= 0) ||
      groups.some((g, i) => i > 0 && g <= groups[i - 1]!)
    ) {
      c.addIssue({
        code: 'custom',
        message: 'a comma-separated list of ascending positive minutes, e.g. 5,20,60',
      });
      return z.NEVER;
    }
    return groups;
  });

const positive = (d: number) => envInt(d).refine((v) => v > 0, 'must be positive');

export const SchedulerEnv = baseEnv.extend({
  PORT: envInt(8081),
  AUTH_JWT_SECRET: z.string().min(32, 'AUTH_JWT_SECRET must be at least 32 characters'),
  SCHEDULER_POLICY: z.enum(policyNames as [string, ...string[]]).default('seed-groups'),
  SCHEDULER_GROUPS: groupList,
  SCHEDULER_GROUP_MINUTE_MS: positive(60_000),
  SCHEDULER_DEMOTE_AFTER_MS: positive(21 * DAY_MS),
  SCHEDULER_TICK_MS: positive(1000),
  /** `sync.due` per partner per claim statement (a saturated partner is ticked again at once). */
  SCHEDULER_MAX_PER_TICK: positive(DEFAULT_DISPATCH_CONFIG.maxPerTick),
  /** Target duration of one claim statement (the per-partner cap adapts); 0: off. */
  SCHEDULER_TICK_TARGET_MS: envInt(DEFAULT_DISPATCH_CONFIG.tickTargetMs),
  /** Claim loops of this process's dispatcher. */
  SCHEDULER_DISPATCH_LOOPS: positive(DEFAULT_DISPATCH_CONFIG.loops),
  /** Outbox relay rows per batch and batches in flight; 0 takes the platform's defaults. */
  SCHEDULER_RELAY_BATCH_SIZE: envInt(DEFAULT_DISPATCH_CONFIG.relayBatchSize),
  SCHEDULER_RELAY_CONCURRENCY: envInt(DEFAULT_DISPATCH_CONFIG.relayConcurrency),
  SCHEDULER_LEASE_MS: positive(5 * 60_000),
  SCHEDULER_PUSH_BLOCKADE_MS: envInt(60_000),
  SCHEDULER_NOTIFY_DEBOUNCE_MS: envInt(10_000),
  SCHEDULER_WEBHOOK_QUIET_MS: envInt(6 * 3600_000),
  SCHEDULER_DEFER_DEFAULT_MS: positive(60_000),
  SCHEDULER_SKIPPED_RETRY_MS: positive(DEFAULT_SCHEDULE_CONFIG.skippedRetryMs),
  SCHEDULER_BACKOFF_BASE_MS: positive(60_000),
  SCHEDULER_BACKOFF_MAX_MS: positive(6 * 3600_000),
  /**
   * Snapshot the projection and delete the event log it covers, older than the history below,
   * every this many hours (0: never; `compact` does it on demand). One instance at a time.
   */
  SCHEDULER_COMPACT_EVERY_HOURS: envInt(24).refine((v) => v >= 0, 'must be 0 (never) or more'),
  /** Days of event log kept whatever the snapshots: the history `replay` judges policies on. */
  SCHEDULER_HISTORY_DAYS: positive(35),
  /** Run the dispatcher in this process (several instances may; they never lease a row twice). */
  SCHEDULER_DISPATCH: envBoolean(true),
  /** Consume `scheduler.events` in this process. */
  SCHEDULER_CONSUME: envBoolean(true),
});
export type SchedulerEnv = z.infer<typeof SchedulerEnv>;

export const loadSchedulerEnv = (source: NodeJS.ProcessEnv = process.env) => loadEnv(SchedulerEnv, source);

/** The parts of the environment the projection depends on (also used by `rebuild` and `replay`). */
export const ProjectionEnv = SchedulerEnv.omit({ AUTH_JWT_SECRET: true, PORT: true });
export const loadProjectionEnv = (source: NodeJS.ProcessEnv = process.env) => loadEnv(ProjectionEnv, source);

export function contextOptionsFromEnv(
  env: z.infer<typeof ProjectionEnv>,
): Omit<SchedulerContextOptions, 'declarations'> {
  return {
    policy: env.SCHEDULER_POLICY,
    groups: {
      groupsMinutes: env.SCHEDULER_GROUPS,
      minuteMs: env.SCHEDULER_GROUP_MINUTE_MS,
      demoteAfterMs: env.SCHEDULER_DEMOTE_AFTER_MS,
    },
    config: {
      leaseMs: env.SCHEDULER_LEASE_MS,
      pushBlockadeMs: env.SCHEDULER_PUSH_BLOCKADE_MS,
      notifyDebounceMs: env.SCHEDULER_NOTIFY_DEBOUNCE_MS,
      webhookQuietMs: env.SCHEDULER_WEBHOOK_QUIET_MS,
      deferDefaultMs: env.SCHEDULER_DEFER_DEFAULT_MS,
      skippedRetryMs: env.SCHEDULER_SKIPPED_RETRY_MS,
      backoffBaseMs: env.SCHEDULER_BACKOFF_BASE_MS,
      backoffMaxMs: env.SCHEDULER_BACKOFF_MAX_MS,
    },
    tickMs: env.SCHEDULER_TICK_MS,
    maxPerTick: env.SCHEDULER_MAX_PER_TICK,
  };
}

/** The dispatcher's and the outbox relay's settings from the environment. */
export function dispatchConfigFromEnv(env: SchedulerEnv): DispatchConfig {
  return {
    maxPerTick: env.SCHEDULER_MAX_PER_TICK,
    tickTargetMs: env.SCHEDULER_TICK_TARGET_MS,
    loops: env.SCHEDULER_DISPATCH_LOOPS,
    relayBatchSize: env.SCHEDULER_RELAY_BATCH_SIZE,
    relayConcurrency: env.SCHEDULER_RELAY_CONCURRENCY,
  };
}
