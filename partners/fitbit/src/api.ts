import { definePartnerApi, profileZone, remainingAndResetIn } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { food } from './resources/food.js';
import { measurement } from './resources/measurement.js';
import { FITBIT_ERRORS } from './schemas.js';

export const api = definePartnerApi({
  declaration,
  resources: { measurement, exercise, food },
  /**
   * Fitbit times carry no offset: they are the user's wall clock, in the profile's current offset.
   * Units follow Accept-Language (en_US: lb and miles, en_GB: stone); the kit's client sends none,
   * so Fitbit reads and writes metric.
   */
  zone: profileZone('/profile.json', 'user.offsetFromUTCMillis', 'ms'),
  /** `Fitbit-Rate-Limit-Remaining` and `-Reset` (seconds until the top of the hour) on every response. */
  rateLimitHeaders: remainingAndResetIn('fitbit-rate-limit-remaining', 'fitbit-rate-limit-reset'),
  /**
   * The kit classifies 401/403/404/409/429/5xx. Fitbit answers a bad parameter with 400 and an
   * `errors[]` body (`validation`, `request`); that is invalid data, not worth retrying.
   */
  classify: FITBIT_ERRORS.classify([400]),
});
