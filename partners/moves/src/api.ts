import {
  definePartnerApi,
  headerInt,
  type PartnerResponse,
  responseTime,
  scarcestWindow,
} from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';

/**
 * https://dev.moves-app.com/docs/api (rate limits): `X-RateLimit-{Minute,Hour}{Limit,Remaining}`,
 * per app, reset at the top of each minute and hour. The scarcer window wins; a 429 (no
 * Retry-After) waits for the window these headers say is spent.
 */
export function rateLimitHeaders(res: PartnerResponse): { remaining: number; resetAt: Date } | null {
  const windows = [
    { remaining: headerInt(res, 'x-ratelimit-minuteremaining'), windowSeconds: 60 },
    { remaining: headerInt(res, 'x-ratelimit-hourremaining'), windowSeconds: 3600 },
  ].flatMap((w) => (w.remaining === undefined ? [] : [{ ...w, remaining: w.remaining }]));
  return scarcestWindow(windows, responseTime(res));
}

export const api = definePartnerApi({ declaration, resources: { exercise }, rateLimitHeaders });
