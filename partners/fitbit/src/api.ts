import { definePartnerApi, type PartnerResponse } from '@healthsync/partner-kit';
import { z } from 'zod';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { food } from './resources/food.js';
import { measurement } from './resources/measurement.js';
import { FitbitErrorBody } from './schemas.js';

const Count = z.coerce.number().int().nonnegative();

/** `Fitbit-Rate-Limit-Remaining` and `-Reset` (seconds until the top of the hour) on every response. */
export function rateLimitHeaders(res: PartnerResponse, now = new Date()) {
  const remaining = Count.safeParse(res.headers['fitbit-rate-limit-remaining']);
  const reset = Count.safeParse(res.headers['fitbit-rate-limit-reset']);
  if (!remaining.success || !reset.success) return null;
  return { remaining: remaining.data, resetAt: new Date(now.getTime() + reset.data * 1000) };
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
