import { type Exercise, fieldEncoder } from '@healthsync/partner-kit';
import { SPORTS } from './to-exercise.js';

/**
 * Update Activity parameters: only descriptive fields (the start, duration and distance cannot
 * change). Create Activity's are `EXERCISE.fromApp` (to-exercise.ts).
 */
export const fromExerciseUpdate = fieldEncoder<Exercise>({
  fields: { name: 'name', sport_type: { code: 'activityType', table: SPORTS } },
});
