import { definePartnerApi, limitUsageLists } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';
import { STRAVA_ERRORS } from './schemas.js';

export const api = definePartnerApi({
  declaration,
  resources: { exercise, measurement },
  /**
   * `X-RateLimit-Limit` / `-Usage` ("<15 min>,<daily>": the declared windows, in that order) and the
   * read variants: the tightest of the four windows, with its reset (the next quarter hour or
   * midnight UTC).
   */
  rateLimitHeaders: limitUsageLists(declaration.rateLimits, [
    { limit: 'x-ratelimit-limit', usage: 'x-ratelimit-usage' },
    { limit: 'x-readratelimit-limit', usage: 'x-readratelimit-usage' },
  ]),
  // The kit classifies by status; a Strava 400 / 422 names the resource, field and code.
  errors: STRAVA_ERRORS,
  // Create Activity takes no calories: Strava's copy carries its own estimate.
  roundTrip: { calories: Number.POSITIVE_INFINITY },
});
