import { type Exercise, fieldEncoder, totalCalories } from '@healthsync/partner-kit';

/**
 * Log Activity parameters for a custom activity (`activityName` + `manualCalories`), in the user's
 * local time and metric units (distance in km: we send no Accept-Language).
 */
export const fromExercise = fieldEncoder<Exercise>({
  refuse: (e) =>
    totalCalories(e) === undefined ? 'exercise needs calories or calories per hour' : undefined,
  fields: {
    activityName: 'name',
    manualCalories: (e) => Math.round(totalCalories(e) ?? 0),
    startTime: { time: 'startedAt', format: 'time' },
    durationMillis: { from: 'durationSeconds', unit: 'ms' },
    date: { time: 'startedAt', format: 'date' },
    distance: { from: 'distanceMeters', unit: 'km', decimals: 3 },
  },
});
