import { definePartnerApi, type PartnerResponse, scarcestWindow } from '@healthsync/partner-kit';
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
    return [
      { remaining: limit[0] - usage[0], windowSeconds: 900 },
      { remaining: limit[1] - usage[1], windowSeconds: 86_400 },
    ];
  });
  return scarcestWindow(windows, now);
}

/** The kit classifies by status; a Strava 400 / 422 names the resource, field and code. */
export function classify(res: PartnerResponse) {
  if (res.status !== 400 && res.status !== 422) return null;
  const body = StravaErrorBody.safeParse(res.body);
  const errors = (body.success ? (body.data.errors ?? []) : []).map((e) =>
    `${e.resource ?? '?'}.${e.field ?? '?'} ${e.code ?? ''}`.trim(),
  );
  return {
    code: 'invalid_data' as const,
    message: `Strava rejected the request: ${errors.join(', ') || `HTTP ${res.status}`}`,
  };
}

export const api = definePartnerApi({
  declaration,
  resources: { exercise, measurement },
  rateLimitHeaders,
  classify,
});
