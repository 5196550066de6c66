import { definePartnerApi, headerInt, type PartnerResponse } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { food } from './resources/food.js';
import { measurement } from './resources/measurement.js';
import { FitbitErrorBody } from './schemas.js';

/** `Fitbit-Rate-Limit-Remaining` and `-Reset` (seconds until the top of the hour) on every response. */
export function rateLimitHeaders(res: PartnerResponse, now = new Date()) {
  const remaining = headerInt(res, 'fitbit-rate-limit-remaining');
  const reset = headerInt(res, 'fitbit-rate-limit-reset');
  if (remaining === undefined || reset === undefined) return null;
  return { remaining, resetAt: new Date(now.getTime() + reset * 1000) };
}

/**
 * The kit classifies 401/403/404/409/429/5xx. Fitbit answers a bad parameter with 400 and an
 * `errors[]` body (`validation`, `request`); that is invalid data, not worth retrying. Messages
 * keep only the error type and field: Fitbit echoes tokens in some messages.
 */
export function classify(res: PartnerResponse) {
  if (res.status !== 400) return null;
  const body = FitbitErrorBody.safeParse(res.body);
  const errors = body.success
    ? body.data.errors.map((e) => `${e.errorType}${e.fieldName ? ` (${e.fieldName})` : ''}`)
    : [];
  return {
    code: 'invalid_data' as const,
    message: `Fitbit rejected the request: ${errors.join(', ') || 'HTTP 400'}`,
  };
}

export const api = definePartnerApi({
  declaration,
  resources: { measurement, exercise, food },
  rateLimitHeaders,
  classify,
});
