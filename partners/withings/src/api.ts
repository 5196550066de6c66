import { definePartnerApi } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';
import { WITHINGS_STATUS } from './schemas.js';

export const api = definePartnerApi({
  declaration,
  resources: { measurement, exercise },
  /** HTTP 200 with the outcome in the body's `status` (0 = ok); 601 waits a minute. */
  classify: WITHINGS_STATUS.classify,
});
