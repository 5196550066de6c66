import { type Mapped, metricMeasurement, zodReason } from '@healthsync/partner-kit';
import { StravaAthlete } from '../schemas.js';

/**
 * Strava keeps one weight per athlete (kg) in the profile, without a measurement date: a reading
 * is dated by the profile's `updated_at` (UTC) and identified by it (`weight:<updated_at>`).
 * Null when the athlete has no weight.
 */
export function toWeight(raw: unknown): Mapped | null {
  const athlete = StravaAthlete.safeParse(raw);
  if (!athlete.success) return { reject: `athlete: ${zodReason(athlete.error)}` };
  const { weight, updated_at } = athlete.data;
  if (weight === null || weight === undefined || weight === 0) return null;
  const at = new Date(updated_at).toISOString();
  return {
    externalId: `weight:${at}`,
    candidate: {
      type: 'weight',
      ...metricMeasurement('weight', weight, 'kg'),
      measuredAt: at,
      utcOffsetMinutes: 0,
    },
  };
}
