import { definePartnerApi } from '@healthsync/partner-kit';
import { classifyStatus, declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';
import { WithingsEnvelope } from './schemas.js';

export const api = definePartnerApi({
  declaration,
  resources: { measurement, exercise },
  /** HTTP 200 with the outcome in the body's `status` (0 = ok). 601: over 120 requests a minute,
   * counted per application over a rolling minute, so try again in a minute. */
  classify: (res) => {
    const envelope = WithingsEnvelope.safeParse(res.body);
    if (!envelope.success)
      return {
        code: 'transient',
        message: `Withings answered without a status envelope (HTTP ${res.status})`,
      };
    const { status, error = '' } = envelope.data;
    const code = classifyStatus(status);
    const message = `Withings status ${status}${error && `: ${error.replace(/\s+/g, ' ').slice(0, 200)}`}`;
    return (
      code && { code, message, ...(code === 'rate_limited' && { retryAt: new Date(Date.now() + 60_000) }) }
    );
  },
});
