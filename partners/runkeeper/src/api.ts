import { definePartnerApi, waitInText } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { food } from './resources/food.js';
import { measurement } from './resources/measurement.js';

/** When a 429 names no wait: the 15 minutes tapiriik settled on. */
export const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 900;

/**
 * RunKeeper sends no rate-limit headers; a 429 names its wait in plain text ("Try again in 15
 * minutes."). That wait, counted from the response's `Date`, is when the budget opens again.
 * (Other errors are plain text too; the kit classifies them by status.)
 */
export const rateLimitHeaders = waitInText(DEFAULT_RATE_LIMIT_WAIT_SECONDS);

export const api = definePartnerApi({
  declaration,
  resources: { exercise, measurement, food },
  rateLimitHeaders,
});
