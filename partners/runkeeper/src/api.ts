import { definePartnerApi, type PartnerResponse, responseTime } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { food } from './resources/food.js';
import { measurement } from './resources/measurement.js';

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
/** When a 429 names no wait: the 15 minutes tapiriik settled on. */
export const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 900;

/**
 * RunKeeper sends no rate-limit headers; a 429 names its wait in plain text ("Try again in 15
 * minutes."). That wait, counted from the response's `Date`, is when the budget opens again.
 * (Other errors are plain text too; the kit classifies them by status.)
 */
export function rateLimitHeaders(res: PartnerResponse): { remaining: number; resetAt: Date } | null {
  if (res.status !== 429) return null;
  const wait = /(\d+)\s*(second|minute|hour|day)s?/i.exec(res.text);
  const seconds = wait
    ? Number(wait[1]) * (UNIT_SECONDS[wait[2]?.toLowerCase() ?? ''] ?? 60)
    : DEFAULT_RATE_LIMIT_WAIT_SECONDS;
  return { remaining: 0, resetAt: new Date(responseTime(res).getTime() + seconds * 1000) };
}

export const api = definePartnerApi({
  declaration,
  resources: { exercise, measurement, food },
  rateLimitHeaders,
});
