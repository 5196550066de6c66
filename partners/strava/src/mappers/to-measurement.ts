import { fieldMapper } from '@healthsync/partner-kit';

/**
 * Strava keeps one weight per athlete (kg) in the profile, without a measurement date: a reading
 * is dated by the profile's `updated_at` (UTC) and identified by it (`weight:<updated_at>`).
 * Nothing when the athlete has no weight (absent, null or 0).
 */
export const toWeight = fieldMapper('measurement', {
  label: 'athlete',
  skip: (r) => !r.num('weight'),
  id: (r) => `weight:${new Date(r.text('updated_at') ?? '').toISOString()}`,
  at: { from: 'updated_at', format: 'utc' },
  fields: { type: { is: 'weight' }, value: { from: 'weight', unit: 'kg' } },
});
