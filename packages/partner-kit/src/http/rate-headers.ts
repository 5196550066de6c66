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
