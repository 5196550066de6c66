import { type Exercise, isoWithOffset } from '@healthsync/partner-kit';
import { SPORTS } from './to-exercise.js';

/** Update Activity takes only descriptive fields: the start, duration and distance cannot change. */
export const fromExerciseUpdate = (e: Exercise): Readonly<Record<string, string>> => ({
  name: e.name,
  sport_type: SPORTS.fromApp(e.activityType),
});

/**
 * Create Activity parameters: local start without offset (Strava places it in the athlete's zone),
 * elapsed time in seconds, distance in metres. Strava's create takes no calories.
 */
export const fromExercise = (e: Exercise): Readonly<Record<string, string>> => ({
  ...fromExerciseUpdate(e),
  start_date_local: isoWithOffset(new Date(e.startedAt), e.utcOffsetMinutes).iso.slice(0, 19),
  elapsed_time: String(e.durationSeconds),
  ...(e.distanceMeters !== undefined && { distance: String(e.distanceMeters) }),
});
