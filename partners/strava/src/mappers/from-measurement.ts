import type { Measurement } from '@healthsync/partner-kit';

/** Strava replaces the athlete's current weight; an old reading would overwrite a newer one. */
export const MAX_AGE_DAYS = 7;

/** `PUT /athlete` parameters for a weight, or why it is not sent. */
export function fromMeasurement(m: Measurement, now: Date): { weight: string } | { reject: string } {
  if (m.type !== 'weight' || m.unit !== 'kg') return { reject: `only weight is accepted, not ${m.type}` };
  if (now.getTime() - Date.parse(m.measuredAt) > MAX_AGE_DAYS * 86_400_000)
    return { reject: `only the current weight is kept; this one is older than ${MAX_AGE_DAYS} days` };
  return { weight: m.value.toFixed(2) };
}
