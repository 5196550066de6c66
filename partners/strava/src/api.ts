import {
  definePartnerApi,
  errorListClassifier,
  type PartnerResponse,
  scarcestWindow,
} from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';
import { StravaErrorBody } from './schemas.js';

function pair(value: string | undefined): [number, number] | null {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/**
 * `X-RateLimit-Limit` / `-Usage` ("<15 min>,<daily>") and the read variants: the tightest of
 * the four windows, with its reset (the next quarter hour or midnight UTC).
 */
export function rateLimitHeaders(res: PartnerResponse, now = new Date()) {
  const windows = ['x-ratelimit', 'x-readratelimit'].flatMap((prefix) => {
    const limit = pair(res.headers[`${prefix}-limit`]);
    const usage = pair(res.headers[`${prefix}-usage`]);
    if (!limit || !usage) return [];
    return [900, 86_400].map((windowSeconds, i) => ({ remaining: limit[i]! - usage[i]!, windowSeconds }));
  });
  return scarcestWindow(windows, now);
}

/** The kit classifies by status; a Strava 400 / 422 names the resource, field and code. */
export const classify = errorListClassifier({
  partner: 'Strava',
  statuses: [400, 422],
  body: StravaErrorBody,
  describe: (e) => `${e.resource ?? '?'}.${e.field ?? '?'} ${e.code ?? ''}`.trim(),
});

export const api = definePartnerApi({
  declaration,
  resources: { exercise, measurement },
  rateLimitHeaders,
  classify,
});
