import { definePartnerApi, type PartnerResponse } from '@healthsync/partner-kit';
import { declaration } from './partner.js';
import { exercise } from './resources/exercise.js';
import { measurement } from './resources/measurement.js';
import { StravaErrorBody } from './schemas.js';

const QUARTER_HOUR = 900_000;
const DAY = 86_400_000;

function pair(value: string | undefined): [number, number] | null {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/**
 * `X-RateLimit-Limit` / `-Usage` ("<15 min>,<daily>") and the read variants: the tightest of
 * the four windows, with its reset (the next quarter hour or midnight UTC).
 */
export function rateLimitHeaders(res: PartnerResponse, now = new Date()) {
  const windows: { remaining: number; resetAt: Date }[] = [];
  const t = now.getTime();
  for (const prefix of ['x-ratelimit', 'x-readratelimit']) {
    const limit = pair(res.headers[`${prefix}-limit`]);
    const usage = pair(res.headers[`${prefix}-usage`]);
    if (!limit || !usage) continue;
    windows.push({
      remaining: Math.max(0, limit[0] - usage[0]),
      resetAt: new Date(Math.floor(t / QUARTER_HOUR + 1) * QUARTER_HOUR),
    });
    windows.push({
      remaining: Math.max(0, limit[1] - usage[1]),
      resetAt: new Date(Math.floor(t / DAY + 1) * DAY),
    });
  }
  return (
    windows.sort((a, b) => a.remaining - b.remaining || b.resetAt.getTime() - a.resetAt.getTime())[0] ?? null
  );
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
