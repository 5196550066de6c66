export interface BackoffOptions {
  /** First delay in ms (default 200). */
  readonly initialMs?: number;
  /** Cap in ms (default 30 000). */
  readonly maxMs?: number;
}

/**
 * Capped exponential backoff with "equal jitter": attempt 0 waits about `initialMs`, each further
 * attempt doubles it up to `maxMs`; the delay is drawn uniformly from [base/2, base] so many
 * clients that lost the same broker do not come back in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 200;
  const max = options.maxMs ?? 30_000;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + random() * (base / 2));
}
