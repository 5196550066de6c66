import { type FakeClock, systemFakeClock } from './types.js';

/** The outcome of taking one request from a partner's rate limit. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests left in the window after this one. */
  readonly remaining: number;
  /** When the window (or the oldest counted request) frees up. */
  readonly resetAt: Date;
  /** Whole seconds until a request would be allowed again (0 when allowed). */
  readonly retryAfterSeconds: number;
}

export interface FakeRateLimiter {
  take(key: string): RateDecision;
  peek(key: string): RateDecision;
}

export interface RateLimiterOptions {
  limit: number;
  windowSeconds: number;
  clock?: FakeClock;
}

/**
 * Windows aligned to the clock (Fitbit's top of the hour, Strava's quarter hours, Moves'
 * minute and hour): every key's counter resets at multiples of `windowSeconds` since the epoch.
 */
export class FixedWindowLimiter implements FakeRateLimiter {
  private readonly counts = new Map<string, { window: number; count: number }>();
  private readonly clock: FakeClock;
  constructor(private readonly options: RateLimiterOptions) {
    this.clock = options.clock ?? systemFakeClock;
  }

  private state(key: string) {
    const windowMs = this.options.windowSeconds * 1000;
    const now = this.clock.now().getTime();
    const window = Math.floor(now / windowMs);
    let s = this.counts.get(key);
    if (!s || s.window !== window) {
      s = { window, count: 0 };
      this.counts.set(key, s);
    }
    return { s, now, resetAt: (window + 1) * windowMs };
  }

  private decision(count: number, allowed: boolean, now: number, resetAt: number): RateDecision {
    return {
      allowed,
      limit: this.options.limit,
      remaining: Math.max(0, this.options.limit - count),
      resetAt: new Date(resetAt),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  }

  take(key: string): RateDecision {
    const { s, now, resetAt } = this.state(key);
    if (s.count >= this.options.limit) return this.decision(s.count, false, now, resetAt);
    s.count++;
    return this.decision(s.count, true, now, resetAt);
  }

  peek(key: string): RateDecision {
    const { s, now, resetAt } = this.state(key);
    return this.decision(s.count, s.count < this.options.limit, now, resetAt);
  }
}

/** A rolling window (Withings' "120 per minute"): at most `limit` requests in any `windowSeconds`. */
export class RollingWindowLimiter implements FakeRateLimiter {
  private readonly log = new Map<string, number[]>();
  private readonly clock: FakeClock;
  constructor(private readonly options: RateLimiterOptions) {
    this.clock = options.clock ?? systemFakeClock;
  }

  private entries(key: string): { times: number[]; now: number } {
    const now = this.clock.now().getTime();
    const from = now - this.options.windowSeconds * 1000;
    let times = this.log.get(key);
    if (!times) {
      times = [];
      this.log.set(key, times);
    }
    // Times are appended in clock order: the expired ones are a prefix, dropped in place (a copy
    // per request would cost O(window) at high request rates).
    let expired = 0;
    while (expired < times.length && times[expired]! <= from) expired++;
    if (expired > 0) times.splice(0, expired);
    return { times, now };
  }

  private decision(times: number[], allowed: boolean, now: number): RateDecision {
    const oldest = times[0] ?? now;
    const resetAt = oldest + this.options.windowSeconds * 1000;
    return {
      allowed,
      limit: this.options.limit,
      remaining: Math.max(0, this.options.limit - times.length),
      resetAt: new Date(resetAt),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  }

  take(key: string): RateDecision {
    const { times, now } = this.entries(key);
    if (times.length >= this.options.limit) return this.decision(times, false, now);
    times.push(now);
    return this.decision(times, true, now);
  }

  peek(key: string): RateDecision {
    const { times, now } = this.entries(key);
    return this.decision(times, times.length < this.options.limit, now);
  }
}
