import { definePartnerApi, type PartnerErrorCode, type PartnerResponse } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { food } from './resources/food.js';
import { measurement } from './resources/measurement.js';

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
/** When no wait is named: the 15 minutes tapiriik settled on. */
export const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 900;

/**
 * Errors come back as plain text. A 429 names its wait ("Try again in 15 minutes."); the wait counts
 * from the response's `Date`. A wrong media type (406/415) or a refused body (400/422) is our data's fault.
 */
export function classify(
  res: PartnerResponse,
): { code: PartnerErrorCode; message: string; retryAt?: Date } | null {
  const text = res.text.trim().slice(0, 200);
  if (res.status === 429) {
    const wait = /(\d+)\s*(second|minute|hour|day)s?/i.exec(text);
    const seconds = wait
      ? Number(wait[1]) * (UNIT_SECONDS[wait[2]?.toLowerCase() ?? ''] ?? 60)
      : DEFAULT_RATE_LIMIT_WAIT_SECONDS;
    const from = Date.parse(res.headers.date ?? '');
    const retryAt = new Date((Number.isNaN(from) ? Date.now() : from) + seconds * 1000);
    return { code: 'rate_limited', message: `RunKeeper rate limit: ${text}`, retryAt };
  }
  if ([400, 406, 415, 422].includes(res.status))
    return { code: 'invalid_data', message: `RunKeeper refused (${res.status}): ${text}` };
  return null;
}

export const api = definePartnerApi({ declaration, resources: { exercise, measurement, food }, classify });
