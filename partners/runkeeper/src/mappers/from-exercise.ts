import { activityTypeOf, type Exercise, fieldEncoder, totalCalories } from '@healthsync/partner-kit';
import { RUNKEEPER_TYPES } from './to-exercise.js';

/** An exercise -> a NewFitnessActivity / FitnessActivity body (never posted to social networks). */
export const fromExercise = fieldEncoder<Exercise>({
  check: { kind: 'exercise', partner: 'RunKeeper' },
  fields: {
    type: (e) => RUNKEEPER_TYPES.find((t) => activityTypeOf(t) === activityTypeOf(e.activityType)) ?? 'Other',
    start_time: { time: 'startedAt', format: 'rfc2822-local' },
    duration: 'durationSeconds',
    total_calories: (e) => Math.round(totalCalories(e) ?? 0),
    total_distance: 'distanceMeters',
    notes: 'name',
    post_to_facebook: { is: false },
    post_to_twitter: { is: false },
  },
});
