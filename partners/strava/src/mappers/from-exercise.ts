import { type Exercise, fieldEncoder } from '@healthsync/partner-kit';
import { SPORTS } from './to-exercise.js';

/** Update Activity takes only descriptive fields: the start, duration and distance cannot change. */
const descriptive = { name: 'name', sport_type: { code: 'activityType', table: SPORTS } } as const;
export const fromExerciseUpdate = fieldEncoder<Exercise>({ fields: descriptive });

/**
 * Create Activity parameters: local start without offset (Strava places it in the athlete's zone),
 * elapsed time in seconds, distance in metres. Strava's create takes no calories.
 */
export const fromExercise = fieldEncoder<Exercise>({
  fields: {
    ...descriptive,
    start_date_local: { time: 'startedAt', format: 'local' },
    elapsed_time: 'durationSeconds',
    distance: 'distanceMeters',
  },
});
