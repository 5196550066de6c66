import { definePartnerApi, remainingPerWindow } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';

/**
 * https://dev.moves-app.com/docs/api (rate limits): `X-RateLimit-{Minute,Hour}{Limit,Remaining}`,
 * per app, reset at the top of each minute and hour. The scarcer window wins; a 429 (no
 * Retry-After) waits for the window these headers say is spent.
 */
export const rateLimitHeaders = remainingPerWindow(declaration.rateLimits, [
  'x-ratelimit-minuteremaining',
  'x-ratelimit-hourremaining',
]);

export const api = definePartnerApi({ declaration, resources: { exercise }, rateLimitHeaders });
