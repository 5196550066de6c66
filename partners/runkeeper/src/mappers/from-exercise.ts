import type { Exercise } from '@healthsync/partner-kit';
import { toRunKeeperTime, valid } from './common.js';
import { appActivityType, RUNKEEPER_TYPES } from './to-exercise.js';

/** An exercise -> a NewFitnessActivity / FitnessActivity body (never posted to social networks). */
export function fromExercise(item: Exercise) {
  const e = valid('exercise', item);
  const calories = e.calories ?? ((e.caloriesPerHour ?? 0) * e.durationSeconds) / 3600;
  return {
    type: RUNKEEPER_TYPES.find((t) => appActivityType(t) === appActivityType(e.activityType)) ?? 'Other',
    start_time: toRunKeeperTime(e.startedAt),
    duration: e.durationSeconds,
    total_calories: Math.round(calories),
    ...(e.distanceMeters !== undefined && { total_distance: e.distanceMeters }),
    notes: e.name,
    post_to_facebook: false,
    post_to_twitter: false,
  };
}
