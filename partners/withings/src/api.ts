import { bodyStatusClassifier, definePartnerApi } from '@healthsync/partner-kit';
import { declaration, ENVELOPE } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';

export const api = definePartnerApi({
  declaration,
  resources: { measurement, exercise },
  /** HTTP 200 with the outcome in the body's `status` (0 = ok). 601: over 120 requests a minute,
   * counted per application over a rolling minute, so try again in a minute. */
  classify: bodyStatusClassifier({ ...ENVELOPE, error: 'error', retryAfterSeconds: 60 }),
});
