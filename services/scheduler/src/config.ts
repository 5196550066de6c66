/**
 * How the scheduler turns events into due times (everything but the group policy itself).
 * Every interval is configurable so tests can move a ManualClock through weeks in seconds.
 */
export interface ScheduleConfig {
  /** The push blockade: minimum time between two pushes of one connection. */
  readonly pushBlockadeMs: number;
  /** A partner notification makes a poll due this long after the first unhandled one (debounce). */
  readonly notifyDebounceMs: number;
  /**
   * A connection of a webhook partner whose last notification is younger than this skips its
   * regular polls (the notifications bring it the news); once they go quiet for this long it falls
   * back to polling by its group. 0 disables.
   */
  readonly webhookQuietMs: number;
  /** Lease of a dispatched sync; a lease that expires without `sync.completed` is dispatched again. */
  readonly leaseMs: number;
  /** Each unanswered lease doubles the next one, up to 2^this. */
  readonly maxLeaseDoublings: number;
  /** A `deferred` outcome without the partner's `retryAt` waits this long. */
  readonly deferDefaultMs: number;
  /**
   * A `skipped` sync (the worker did not know the connection as connected: the first `sync.due` of
   * a new connection can reach it before its `connection.connected`) is tried again this long
   * after, once, instead of at the next regular poll; the worker called no partner, so no per-user
   * gap is owed.
   */
  readonly skippedRetryMs: number;
  /** `failed` outcomes back off: base * 2^(failures-1), capped, with +-20% deterministic jitter. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export const DEFAULT_SCHEDULE_CONFIG: ScheduleConfig = {
  pushBlockadeMs: 60_000,
  notifyDebounceMs: 10_000,
  webhookQuietMs: 6 * 3600_000,
  leaseMs: 5 * 60_000,
  maxLeaseDoublings: 4,
  deferDefaultMs: 60_000,
  skippedRetryMs: 15_000,
  backoffBaseMs: 60_000,
  backoffMaxMs: 6 * 3600_000,
};

/** How the dispatcher and its outbox relay run (DESIGN.md §4, §8); measured in bench/scheduler.bench.ts. */
export interface DispatchConfig {
  /**
   * At most this many `sync.due` per partner per tick. A partner that used all of it is ticked
   * again at once, so the cap sets the size (the latency, the lock time) of one claim statement,
   * not the dispatch rate.
   */
  readonly maxPerTick: number;
  /**
   * Aim for claim statements of about this many ms: each loop lowers its per-partner cap (down to
   * a fifth of `maxPerTick`) while ticks take longer, e.g. while the database is busy. 0: off.
   */
  readonly tickTargetMs: number;
  /** Claim loops ticking at once (`FOR UPDATE SKIP LOCKED` keeps them apart). */
  readonly loops: number;
  /** Outbox relay: rows per batch and batches in flight (0: the platform's default). */
  readonly relayBatchSize: number;
  readonly relayConcurrency: number;
}

export const DEFAULT_DISPATCH_CONFIG: DispatchConfig = {
  maxPerTick: 50,
  tickTargetMs: 25,
  loops: 1,
  relayBatchSize: 0,
  relayConcurrency: 0,
};

/**
 * The outbox relay options of a dispatch configuration (absent ones take the platform's defaults).
 * The relay leaves the event log alone: the schedule is projected from it (`rebuild`, `replay`),
 * and only compaction, behind a snapshot, deletes from it (`compaction.ts`).
 */
export function relayOptions(config: Pick<DispatchConfig, 'relayBatchSize' | 'relayConcurrency'>): {
  batchSize?: number;
  concurrency?: number;
  retainEventLogHours: 0;
} {
  return {
    ...(config.relayBatchSize > 0 ? { batchSize: config.relayBatchSize } : {}),
    ...(config.relayConcurrency > 0 ? { concurrency: config.relayConcurrency } : {}),
    retainEventLogHours: 0,
  };
}
