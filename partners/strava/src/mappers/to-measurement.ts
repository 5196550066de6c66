import { metricMeasurement, schemaMapper } from '@healthsync/partner-kit';
import { StravaAthlete } from '../schemas.js';

/**
 * Strava keeps one weight per athlete (kg) in the profile, without a measurement date: a reading
 * is dated by the profile's `updated_at` (UTC) and identified by it (`weight:<updated_at>`).
 * Null when the athlete has no weight (absent, null or 0).
 */
export const toWeight = schemaMapper(StravaAthlete, 'athlete', ({ weight, updated_at }) => {
  if (!weight) return null;
  const measuredAt = new Date(updated_at).toISOString();
  return {
    externalId: `weight:${measuredAt}`,
    candidate: {
      type: 'weight',
      ...metricMeasurement('weight', weight, 'kg'),
      measuredAt,
      utcOffsetMinutes: 0,
    },
  };
});
