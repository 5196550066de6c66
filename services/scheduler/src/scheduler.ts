import type { PartnerDeclaration } from '@healthsync/partner-kit/declaration';
import { type Clock, createSleeper, type Db, type Logger } from '@healthsync/platform';
import { DEFAULT_DISPATCH_CONFIG, DEFAULT_SCHEDULE_CONFIG, type ScheduleConfig } from './config.js';
import type { ProjectionContext } from './domain/projection.js';
import { type PartnerSchedule, partnerSchedules } from './partners.js';
import { DEFAULT_GROUP_CONFIG, type GroupConfig, policyByName } from './policy/index.js';
import { type ClaimResult, claimDue } from './repositories/dispatch.repository.js';

export { handleEvent } from './handlers/index.js';

/** Everything `tick` and `handleEvent` depend on, built once at start (or by a test). */
export interface SchedulerContext extends ProjectionContext {
  /** The `source` of the events the scheduler writes. */
  readonly source: string;
}

export interface SchedulerContextOptions {
  readonly declarations: readonly PartnerDeclaration[];
  readonly policy?: string;
  readonly groups?: Partial<GroupConfig>;
  readonly config?: Partial<ScheduleConfig>;
  readonly tickMs?: number;
  readonly maxPerTick?: number;
  readonly requestsPerSync?: Readonly<Record<string, number>>;
  readonly source?: string;
}

export function createSchedulerContext(options: SchedulerContextOptions): SchedulerContext {
  const groups: GroupConfig = { ...DEFAULT_GROUP_CONFIG, ...options.groups };
  return {
    policy: policyByName(options.policy ?? 'seed-groups', groups),
    config: { ...DEFAULT_SCHEDULE_CONFIG, ...options.config },
    partners: partnerSchedules(options.declarations, {
      tickMs: options.tickMs ?? 1000,
      maxPerTick: options.maxPerTick ?? DEFAULT_DISPATCH_CONFIG.maxPerTick,
      ...(options.requestsPerSync ? { requestsPerSync: options.requestsPerSync } : {}),
    }),
    source: options.source ?? 'scheduler',
  };
}

export interface TickResult extends ClaimResult {
  readonly at: Date;
  readonly dispatched: number;
  /** Partners that used their whole `maxPerTick`: more may be due, tick again at once. */
  readonly saturated: readonly string[];
}

/**
 * One dispatch tick at `clock.now()`: lease the due connections (per partner within its cap) and
 * write their `sync.due` to the outbox. One database round trip, whatever the number of users.
 * `maxPerTick`, when given, lowers every partner's cap for this tick.
 */
export async function tick(
  db: Db,
  clock: Clock,
  ctx: SchedulerContext,
  options: { readonly maxPerTick?: number } = {},
): Promise<TickResult> {
  const at = clock.now();
  const partners: PartnerSchedule[] = [...ctx.partners.values()];
  const capOf = (p: PartnerSchedule) =>
    Math.max(1, Math.min(p.maxPerTick, options.maxPerTick ?? p.maxPerTick));
  const result = await claimDue(db, {
    now: at,
    partners: partners.map((p) => ({
      partner: p.id,
      maxPerTick: capOf(p),
      requestsPerSync: p.requestsPerSync,
    })),
    leaseMs: ctx.config.leaseMs,
    maxLeaseDoublings: ctx.config.maxLeaseDoublings,
    notifyDebounceMs: ctx.config.notifyDebounceMs,
    source: ctx.source,
  });
  let dispatched = 0;
  for (const n of Object.values(result.claimed)) dispatched += n;
  const saturated = partners.filter((p) => (result.claimed[p.id] ?? 0) >= capOf(p)).map((p) => p.id);
  return { ...result, at, dispatched, saturated };
}

export interface DispatcherOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly ctx: SchedulerContext;
  readonly logger: Logger;
  /** Pause between ticks when nothing is left over (default 1 s). */
  readonly tickMs?: number;
  /**
   * Aim for claim statements of about this many ms (0 or absent: always the partners' full
   * `maxPerTick`). A loop whose tick took longer lowers its per-partner cap in proportion (down
   * to a fifth of `maxPerTick`); one that filled its cap in less than half the time raises it by
   * a quarter, up to `maxPerTick`.
   * Keeps each statement (its locks, its latency) short when the database is busy.
   */
  readonly tickTargetMs?: number;
  /**
   * Claim loops ticking at once (default 1). `FOR UPDATE SKIP LOCKED` keeps them apart like two
   * instances; each loop holds one database connection while its statement runs.
   */
  readonly loops?: number;
  /** Called after every tick (metrics, waking the outbox relay). */
  readonly onTick?: (result: TickResult, durationMs: number) => void;
  readonly onError?: (error: unknown) => void;
}

export interface Dispatcher {
  stop(): Promise<void>;
}

/**
 * Tick until stopped: again at once while some partner used its whole per-tick cap (a backlog),
 * otherwise after `tickMs`. A failing tick (database away) is retried with a capped backoff.
 * Small ticks in quick succession keep each claim statement short (its locks, its latency)
 * while a backlog is worked off at full speed.
 */
export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const tickMs = options.tickMs ?? 1000;
  const loops = Math.max(1, Math.floor(options.loops ?? 1));
  let stopping = false;
  const sleeper = createSleeper();
  const maxCap = Math.max(1, ...[...options.ctx.partners.values()].map((p) => p.maxPerTick));
  const target = options.tickTargetMs ?? 0;
  const loop = async () => {
    let failures = 0;
    let cap = maxCap;
    while (!stopping) {
      const started = performance.now();
      try {
        const result = await tick(options.db, options.clock, options.ctx, { maxPerTick: cap });
        failures = 0;
        const ms = performance.now() - started;
        if (target > 0) cap = nextTickCap(cap, maxCap, ms, target, result.saturated.length > 0);
        options.onTick?.(result, ms);
        if (result.saturated.length === 0 && !stopping) await sleeper.sleep(tickMs);
      } catch (error) {
        failures++;
        options.onError?.(error);
        options.logger.error({ err: error, failures }, 'dispatch tick failed');
        if (!stopping) await sleeper.sleep(Math.min(tickMs * 2 ** Math.min(failures, 5), 30_000));
      }
    }
  };
  const running = Promise.all(Array.from({ length: loops }, loop));
  options.logger.info({ tickMs, loops, partners: [...options.ctx.partners.keys()] }, 'dispatcher started');
  return {
    async stop() {
      stopping = true;
      sleeper.wakeAll();
      await running;
      options.logger.info('dispatcher stopped');
    },
  };
}

/**
 * The per-partner cap of a claim loop's next tick, so that a tick takes about `targetMs`: lowered
 * in proportion when the last tick took longer, raised by a quarter (up to `max`) when it filled
 * its cap in less than half the target. Never below a fifth of `max`: a statement also has a
 * fixed cost that smaller ticks do not shrink (planning, one index descent per partner, and the
 * index entries left by rows claimed since the table's last vacuum), so below that a busy
 * database would only get more ticks of the same length.
 */
export function nextTickCap(
  cap: number,
  max: number,
  durationMs: number,
  targetMs: number,
  saturated: boolean,
): number {
  const min = Math.max(1, Math.ceil(max / 5));
  if (durationMs > targetMs) return Math.max(min, Math.min(cap, Math.floor((cap * targetMs) / durationMs)));
  if (saturated && durationMs < targetMs / 2) return Math.min(max, Math.ceil(cap * 1.25));
  return Math.min(cap, max);
}

/**
 * An `onTick` companion that wakes the outbox relay once `rows` sync.due have piled up since the
 * last wake, or when a tick leaves no backlog. While a backlog is worked off in many short ticks,
 * the relay then sends full batches instead of one small batch per tick (its idle poll still
 * picks up anything older than its poll interval).
 */
export function relayWaker(wake: () => void, rows: number): (result: TickResult) => void {
  let pending = 0;
  return (result) => {
    pending += result.dispatched;
    if (pending > 0 && (pending >= rows || result.saturated.length === 0)) {
      pending = 0;
      wake();
    }
  };
}
