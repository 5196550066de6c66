import type { PartnerResponse } from '../define-partner.js';

/** Reading partners' rate-limit headers into `{remaining, resetAt}` for `rateLimitHeaders`. */

/** A non-negative integer header, or undefined when absent or not a number. */
export function headerInt(res: PartnerResponse, name: string): number | undefined {
  const value = res.headers[name.toLowerCase()]?.trim();
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** When the partner answered: its `Date` header, or now when it sent none (or an unreadable one). */
export function responseTime(res: PartnerResponse, now: () => Date = () => new Date()): Date {
  const at = Date.parse(res.headers.date ?? '');
  return Number.isNaN(at) ? now() : new Date(at);
}

export interface UsageWindow {
  /** Calls left in the window (negative counts as 0). */
  readonly remaining: number;
  /** The window's length; windows are aligned to the clock (UTC minute, quarter hour, hour, day). */
  readonly windowSeconds: number;
}

/**
 * The scarcest of a partner's clock-aligned windows, with the moment it resets (the next
 * boundary of its length after `now`). On a tie the longer wait wins. Null without windows.
 */
export function scarcestWindow(
  windows: readonly UsageWindow[],
  now: Date,
): { remaining: number; resetAt: Date } | null {
  const t = now.getTime();
  const all = windows.map((w) => {
    const ms = w.windowSeconds * 1000;
    return { remaining: Math.max(0, w.remaining), resetAt: new Date(Math.floor(t / ms + 1) * ms) };
  });
  return (
    all.sort((a, b) => a.remaining - b.remaining || b.resetAt.getTime() - a.resetAt.getTime())[0] ?? null
  );
}

/** A `rateLimitHeaders`; `now` (default: the current time) is when the response arrived. */
export type RateLimitReader = (
  res: PartnerResponse,
  now?: Date,
) => { remaining: number; resetAt: Date } | null;

/**
 * A `rateLimitHeaders` for partners that send the calls left in each clock-aligned window, one
 * header per window: `headers[i]` holds what is left of `windows[i]` (the declaration's
 * `rateLimits`, in that order). The scarcest window, reset at its next boundary after the
 * response's `Date`.
 */
export function remainingPerWindow(
  windows: readonly { readonly windowSeconds: number }[],
  headers: readonly string[],
): RateLimitReader {
  if (headers.length !== windows.length)
    throw new Error(`remainingPerWindow: ${headers.length} headers for ${windows.length} windows`);
  return (res) => {
    const read = windows.flatMap(({ windowSeconds }, i) => {
      const remaining = headerInt(res, headers[i] ?? '');
      return remaining === undefined ? [] : [{ remaining, windowSeconds }];
    });
    return scarcestWindow(read, responseTime(res));
  };
}

/** A `rateLimitHeaders` for a remaining-calls header and a seconds-until-reset header (Fitbit's). */
export function remainingAndResetIn(remainingHeader: string, resetSecondsHeader: string): RateLimitReader {
  return (res, now = new Date()) => {
    const remaining = headerInt(res, remainingHeader);
    const reset = headerInt(res, resetSecondsHeader);
    if (remaining === undefined || reset === undefined) return null;
    return { remaining, resetAt: new Date(now.getTime() + reset * 1000) };
  };
}

/**
 * A `rateLimitHeaders` for partners that send, per family of limits, a limit header and a usage
 * header each listing one number per clock-aligned window (`X-RateLimit-Limit: 100,1000` and
 * `X-RateLimit-Usage: 7,300` for 15 minutes and a day): the scarcest window of all families, reset
 * at its next boundary after `now` (default: the response's `Date`). `windows` are the windows every
 * list holds, in its order: the declaration's `rateLimits` when declared in that order.
 */
export function limitUsageLists(
  windows: readonly { readonly windowSeconds: number }[],
  families: readonly { readonly limit: string; readonly usage: string }[],
): RateLimitReader {
  const list = (value: string | undefined) => {
    const parts = (value ?? '').split(',').map((v) => v.trim());
    return parts.every((v) => /^\d+$/.test(v)) ? parts.map(Number) : [];
  };
  return (res, now = responseTime(res)) => {
    const read = families.flatMap((f) => {
      const limit = list(res.headers[f.limit.toLowerCase()]);
      const usage = list(res.headers[f.usage.toLowerCase()]);
      return windows.flatMap(({ windowSeconds }, i) =>
        limit[i] === undefined || usage[i] === undefined
          ? []
          : [{ remaining: limit[i] - usage[i], windowSeconds }],
      );
    });
    return scarcestWindow(read, now);
  };
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: 86_400 };

/**
 * A `rateLimitHeaders` for partners that send no rate-limit headers and name the wait of a 429
 * in its plain-text body ("Try again in 15 minutes."): the budget opens that long after the
 * response's `Date`, or `fallbackSeconds` after it when the text names no wait.
 */
export function waitInText(fallbackSeconds: number): RateLimitReader {
  return (res) => {
    if (res.status !== 429) return null;
    const wait = /(\d+)\s*(second|minute|hour|day)s?/i.exec(res.text);
    const seconds = wait
      ? Number(wait[1]) * (UNIT_SECONDS[wait[2]?.toLowerCase() ?? ''] ?? 60)
      : fallbackSeconds;
    return { remaining: 0, resetAt: new Date(responseTime(res).getTime() + seconds * 1000) };
  };
}
