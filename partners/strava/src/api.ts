import { definePartnerApi, limitUsageLists } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';
import { STRAVA_ERRORS } from './schemas.js';

/**
 * `X-RateLimit-Limit` / `-Usage` ("<15 min>,<daily>") and the read variants: the tightest of
 * the four windows, with its reset (the next quarter hour or midnight UTC).
 */
export const rateLimitHeaders = limitUsageLists([
  { limit: 'x-ratelimit-limit', usage: 'x-ratelimit-usage', windowSeconds: [900, 86_400] },
  { limit: 'x-readratelimit-limit', usage: 'x-readratelimit-usage', windowSeconds: [900, 86_400] },
]);

/** The kit classifies by status; a Strava 400 / 422 names the resource, field and code. */
export const classify = STRAVA_ERRORS.classify([400, 422]);

export const api = definePartnerApi({
  declaration,
  resources: { exercise, measurement },
  rateLimitHeaders,
  classify,
});
