import { codeTable, dateFields, definedFields, isoWithOffset, schemaMapper } from '@healthsync/partner-kit';
import { StravaActivity } from '../schemas.js';

/**
 * Strava sport types <-> the app's activity types (https://developers.strava.com/docs/reference/#api-models-SportType):
 * unknown ones are read as `other`; an app type Strava lacks is sent as `Workout`.
 */
export const SPORTS = codeTable(
  {
    Run: 'running',
    TrailRun: 'running',
    VirtualRun: 'running',
    Walk: 'walking',
    Hike: 'hiking',
    Ride: 'cycling',
    MountainBikeRide: 'cycling',
    GravelRide: 'cycling',
    EBikeRide: 'cycling',
    VirtualRide: 'cycling',
    Swim: 'swimming',
    Yoga: 'yoga',
    Elliptical: 'elliptical',
  },
  { app: 'other', partner: 'Workout' },
);

/**
 * A DetailedActivity (the summary in the list has no calories). The start is `start_date` (UTC)
 * at `utc_offset` seconds; `start_date_local` is ignored: it is local time written with a `Z`.
 */
export const toExercise = schemaMapper(StravaActivity, 'activity', (a) => ({
  externalId: a.id,
  candidate: {
    activityType: SPORTS.toApp(a.sport_type ?? a.type),
    name: a.name,
    ...dateFields('exercise', isoWithOffset(new Date(a.start_date), Math.round(a.utc_offset / 60))),
    durationSeconds: Math.round(a.elapsed_time),
    ...definedFields({ calories: a.calories, distanceMeters: a.distance && Math.round(a.distance) }),
  },
}));
