import type { PartnerDeclaration } from '@healthsync/partner-kit/declaration';

/**
 * What the scheduler needs from a partner declaration (it reads declarations only, never partner
 * API code): whether the partner sends webhooks, and its rate limits turned into
 * - a per-partner dispatch budget for limits shared by the whole app (a token bucket per limit,
 *   in the database so every scheduler instance draws from the same one), and
 * - a minimum gap between two syncs of one connection for per-user limits.
 *
 * A sync costs at least one request per data kind the partner can poll; that estimate (or an
 * override) converts request limits into sync limits. The partner HTTP client in the sync worker
 * still takes its own request budget before every call, so the estimate only has to keep the
 * scheduler from dispatching work the partner cannot take.
 */
export interface AppBudget {
  /** Stable key of the limit, e.g. `app:120/60s`. */
  readonly key: string;
  /** Tokens the bucket holds at most (requests). */
  readonly capacity: number;
  /** Tokens added per millisecond. */
  readonly refillPerMs: number;
}

export interface PartnerSchedule {
  readonly id: string;
  readonly webhooks: boolean;
  /** Requests one sync is expected to make. */
  readonly requestsPerSync: number;
  /** Minimum time between two syncs of one connection (per-user limits); 0: none. */
  readonly minGapMs: number;
  readonly appBudgets: readonly AppBudget[];
  /** At most this many `sync.due` of this partner per tick. */
  readonly maxPerTick: number;
}

export interface PartnerScheduleOptions {
  /** The dispatch tick; an app budget's burst is one tick's worth. */
  readonly tickMs: number;
  readonly maxPerTick: number;
  /** Override the requests-per-sync estimate per partner id. */
  readonly requestsPerSync?: Readonly<Record<string, number>>;
}

/**
 * An app limit of L requests per W: a bucket of capacity C refilled at (L - C) / W never lets more
 * than C + (L - C) = L requests through in any window of length W, rolling or aligned. C is one
 * tick's refill plus one sync, so a tick never finds the bucket full and loses refill.
 */
export function appBudget(
  limit: number,
  windowMs: number,
  requestsPerSync: number,
  tickMs: number,
): AppBudget {
  const capacity = Math.min(limit, Math.ceil((limit * tickMs) / windowMs) + requestsPerSync);
  return {
    key: `app:${limit}/${windowMs / 1000}s`,
    capacity,
    refillPerMs: (limit - capacity) / windowMs,
  };
}

export function partnerSchedule(
  declaration: PartnerDeclaration,
  options: PartnerScheduleOptions,
): PartnerSchedule {
  const pollKinds = Object.values(declaration.capabilities).filter((c) => c?.poll).length;
  const requestsPerSync = options.requestsPerSync?.[declaration.id] ?? Math.max(1, pollKinds);
  if (!(requestsPerSync > 0)) throw new RangeError(`requestsPerSync of ${declaration.id} must be positive`);
  const appBudgets: AppBudget[] = [];
  let minGapMs = 0;
  for (const limit of declaration.rateLimits) {
    const windowMs = limit.windowSeconds * 1000;
    if (limit.scope === 'app') {
      if (limit.limit < requestsPerSync) {
        throw new RangeError(
          `${declaration.id}: app limit ${limit.limit} cannot fit one sync of ${requestsPerSync} requests`,
        );
      }
      appBudgets.push(appBudget(limit.limit, windowMs, requestsPerSync, options.tickMs));
    } else {
      minGapMs = Math.max(minGapMs, Math.ceil((windowMs * requestsPerSync) / limit.limit));
    }
  }
  return {
    id: declaration.id,
    webhooks: declaration.webhook !== undefined,
    requestsPerSync,
    minGapMs,
    appBudgets,
    maxPerTick: options.maxPerTick,
  };
}

export function partnerSchedules(
  declarations: readonly PartnerDeclaration[],
  options: PartnerScheduleOptions,
): ReadonlyMap<string, PartnerSchedule> {
  return new Map(declarations.map((d) => [d.id, partnerSchedule(d, options)]));
}
