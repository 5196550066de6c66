import { isoWithOffset, schemaMapper } from '@healthsync/partner-kit';
import { StravaActivity } from '../schemas.js';

/** Strava sport types -> the app's activity types; anything else is `other`. */
const TYPES: Readonly<Record<string, string>> = {
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
};

/**
 * A DetailedActivity (the summary in the list has no calories). The start is `start_date` (UTC)
 * at `utc_offset` seconds; `start_date_local` is ignored: it is local time written with a `Z`.
 */
export const toExercise = schemaMapper(
  StravaActivity,
  'activity',
  ({ id, name, sport_type, type, start_date, utc_offset, elapsed_time, distance, calories }) => {
    const start = isoWithOffset(new Date(start_date), Math.round(utc_offset / 60));
    return {
      externalId: id,
      candidate: {
        activityType: TYPES[sport_type ?? type ?? ''] ?? 'other',
        name,
        startedAt: start.iso,
        utcOffsetMinutes: start.utcOffsetMinutes,
        durationSeconds: Math.round(elapsed_time),
        ...(calories === undefined ? {} : { calories }),
        ...(distance === undefined ? {} : { distanceMeters: Math.round(distance) }),
      },
    };
  },
);
