import { definePartnerApi, waitInText } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { food } from './resources/food.js';
import { measurement } from './resources/measurement.js';

export const api = definePartnerApi({
  declaration,
  resources: { exercise, measurement, food },
  /**
   * RunKeeper sends no rate-limit headers; a 429 names its wait in plain text ("Try again in 15
   * minutes."). That wait, counted from the response's `Date`, is when the budget opens again;
   * when the 429 names none, 15 minutes (900 s), the wait tapiriik settled on.
   * (Other errors are plain text too; the kit classifies them by status.)
   */
  rateLimitHeaders: waitInText(900),
  /** An unreadable answer is classified transient (retried), as this module always has. */
  mismatch: 'transient',
});
