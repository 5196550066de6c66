import { activityTypeOf, type Exercise, sendable, toRfc2822Local } from '@healthsync/partner-kit';
import { RUNKEEPER_TYPES } from './to-exercise.js';

/** An exercise -> a NewFitnessActivity / FitnessActivity body (never posted to social networks). */
export function fromExercise(item: Exercise) {
  const e = sendable('exercise', item, 'RunKeeper');
  const calories = e.calories ?? ((e.caloriesPerHour ?? 0) * e.durationSeconds) / 3600;
  return {
    type: RUNKEEPER_TYPES.find((t) => activityTypeOf(t) === activityTypeOf(e.activityType)) ?? 'Other',
    start_time: toRfc2822Local(e.startedAt),
    duration: e.durationSeconds,
    total_calories: Math.round(calories),
    ...(e.distanceMeters !== undefined && { total_distance: e.distanceMeters }),
    notes: e.name,
    post_to_facebook: false,
    post_to_twitter: false,
  };
}
