/**
 * A polling policy (DESIGN.md §4): pure functions of a connection's policy state and time. The
 * scheduler keeps the state in the schedule row (`group_minutes`, `group_since`, `last_data_at`,
 * `policy_state`); a policy never does I/O and never reads the clock, so the same history always
 * gives the same schedule (rebuild) and a policy can be replayed against recorded history before
 * it is switched on (replay).
 */
export interface PolicyState {
  /** The activity group: the minimum minutes between two regular polls (5, 20 or 60 by default). */
  readonly group: number;
  /** When the connection entered its current group. */
  readonly groupSince: Date;
  /** The last sync that moved data (pushed or polled new items); null: never. */
  readonly lastDataAt: Date | null;
  /** Policy-owned JSON (e.g. an hour-of-day histogram); null when the policy keeps none. */
  readonly extra: unknown;
}

/** What a finished sync tells the policy. */
export interface SyncObservation {
  /** When the sync finished. */
  readonly at: Date;
  readonly startedAt: Date;
  /** Items polled that were new or changed at the partner. */
  readonly polledNew: number;
  /** Items pushed to the partner. */
  readonly pushed: number;
}

export interface GroupConfig {
  /** The groups in minutes between polls, most active first; new connections start in the first. */
  readonly groupsMinutes: readonly number[];
  /** Milliseconds per group minute (60 000; tests and benchmarks may change it). */
  readonly minuteMs: number;
  /** A connection without moved data for this long drops one group (three weeks). */
  readonly demoteAfterMs: number;
}

export interface SchedulePolicy {
  readonly name: string;
  readonly description: string;
  readonly config: GroupConfig;
  /** The state of a connection that was just connected at `at`. */
  initial(at: Date): PolicyState;
  /** The state at `at` if nothing happened since: time-driven group changes only. */
  settle(state: PolicyState, at: Date): PolicyState;
  /** The state after a sync finished (`obs.at`); settles first. */
  afterSync(state: PolicyState, obs: SyncObservation): PolicyState;
  /** How long after a poll that finished at `at` the next regular poll is due. */
  pollIntervalMs(state: PolicyState, at: Date): number;
}

export const DAY_MS = 24 * 3600_000;

export const DEFAULT_GROUP_CONFIG: GroupConfig = {
  groupsMinutes: [5, 20, 60],
  minuteMs: 60_000,
  demoteAfterMs: 21 * DAY_MS,
};

export function validateGroupConfig(config: GroupConfig): GroupConfig {
  const g = config.groupsMinutes;
  if (g.length === 0) throw new RangeError('at least one group is required');
  for (let i = 0; i < g.length; i++) {
    const v = g[i]!;
    if (!Number.isFinite(v) || v <= 0)
      throw new RangeError(`group ${v} must be a positive number of minutes`);
    if (i > 0 && v <= g[i - 1]!)
      throw new RangeError('groups must be strictly ascending (most active first)');
  }
  if (!(config.minuteMs > 0)) throw new RangeError('minuteMs must be positive');
  if (!(config.demoteAfterMs > 0)) throw new RangeError('demoteAfterMs must be positive');
  return config;
}
