import { codesByValue, fieldMapper } from '@healthsync/partner-kit';

/**
 * Strava sport types <-> the app's activity types (https://developers.strava.com/docs/reference/#api-models-SportType):
 * unknown ones are read as `other`; an app type Strava lacks is sent as `Workout`.
 */
export const SPORTS = codesByValue(
  {
    running: ['Run', 'TrailRun', 'VirtualRun'],
    walking: ['Walk'],
    hiking: ['Hike'],
    cycling: ['Ride', 'MountainBikeRide', 'GravelRide', 'EBikeRide', 'VirtualRide'],
    swimming: ['Swim'],
    yoga: ['Yoga'],
    elliptical: ['Elliptical'],
  },
  { app: 'other', partner: 'Workout' },
);

/**
 * A DetailedActivity (the summary in the list has no calories; `sport_type` falls back to the
 * legacy `type`). The start is `start_date` (UTC) at `utc_offset` seconds; `start_date_local`
 * is ignored: it is local time written with a `Z`. Seconds and metres.
 */
export const toExercise = fieldMapper('exercise', {
  label: 'activity',
  id: 'id',
  at: { from: 'start_date', format: 'iso', zone: { from: 'utc_offset', unit: 's' } },
  fields: {
    activityType: { code: ['sport_type', 'type'], table: SPORTS },
    name: 'name',
    durationSeconds: { from: 'elapsed_time', round: 0 },
    calories: 'calories',
    distanceMeters: { from: 'distance', round: 0 },
  },
});
