import { codesByValue, twoWayFields } from '@healthsync/partner-kit';

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
 * A DetailedActivity <-> an exercise; seconds and metres both ways. Read: the start is
 * `start_date` (UTC) at `utc_offset` seconds (`start_date_local` is ignored: it is local time
 * written with a `Z`); `sport_type` falls back to the legacy `type`; calories come only in full
 * (the summary in the list has none). Created (Create Activity parameters): at the local start
 * without offset (Strava places it in the athlete's zone); Strava's create takes no calories.
 */
export const EXERCISE = twoWayFields('exercise', {
  label: 'activity',
  id: 'id',
  at: { from: 'start_date', format: 'iso', zone: { from: 'utc_offset', unit: 's' } },
  fields: {
    activityType: { field: ['sport_type', 'type'], table: SPORTS },
    name: 'name',
    durationSeconds: { field: 'elapsed_time', round: 0 },
    distanceMeters: { field: 'distance', round: 0 },
  },
  read: { calories: 'calories' },
  write: { start_date_local: { time: 'startedAt', format: 'local' } },
});
