import { definePartnerApi, type PartnerResponse } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';

const count = (res: PartnerResponse, name: string) => {
  const value = res.headers[name]?.trim();
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
};

/**
 * https://dev.moves-app.com/docs/api (rate limits): `X-RateLimit-{Minute,Hour}{Limit,Remaining}`,
 * per app, reset at the top of each minute and hour. The scarcer window wins; a 429 (no
 * Retry-After) waits for the window these headers say is spent.
 */
export function rateLimitHeaders(res: PartnerResponse): { remaining: number; resetAt: Date } | null {
  const minute = count(res, 'x-ratelimit-minuteremaining');
  const hour = count(res, 'x-ratelimit-hourremaining');
  if (minute === undefined && hour === undefined) return null;
  const at = Date.parse(res.headers.date ?? '');
  const now = Number.isNaN(at) ? Date.now() : at;
  const nextMinute = new Date(Math.floor(now / 60_000) * 60_000 + 60_000);
  const nextHour = new Date(Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000);
  if (hour !== undefined && (hour === 0 || minute === undefined || hour < minute))
    return { remaining: hour, resetAt: nextHour };
  return { remaining: minute ?? 0, resetAt: nextMinute };
}

export const api = definePartnerApi({ declaration, resources: { exercise }, rateLimitHeaders });
