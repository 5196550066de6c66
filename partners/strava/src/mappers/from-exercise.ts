import { type Exercise, isoWithOffset } from '@healthsync/partner-kit';

/** App activity types -> Strava sport types (https://developers.strava.com/docs/reference/#api-models-SportType). */
const SPORTS: Readonly<Record<string, string>> = {
  running: 'Run',
  walking: 'Walk',
  hiking: 'Hike',
  cycling: 'Ride',
  swimming: 'Swim',
  yoga: 'Yoga',
  elliptical: 'Elliptical',
};

export const sportType = (e: Exercise): string => SPORTS[e.activityType] ?? 'Workout';

/**
 * Create Activity parameters: local start without offset (Strava places it in the athlete's zone),
 * elapsed time in seconds, distance in metres. Strava's create takes no calories.
 */
export function fromExercise(e: Exercise): Readonly<Record<string, string>> {
  const local = isoWithOffset(new Date(e.startedAt), e.utcOffsetMinutes).iso.slice(0, 19);
  return {
    name: e.name,
    sport_type: sportType(e),
    start_date_local: local,
    elapsed_time: String(e.durationSeconds),
    ...(e.distanceMeters === undefined ? {} : { distance: String(e.distanceMeters) }),
  };
}

/** Update Activity takes only descriptive fields: the start, duration and distance cannot change. */
export function fromExerciseUpdate(e: Exercise): Readonly<Record<string, string>> {
  return { name: e.name, sport_type: sportType(e) };
}
