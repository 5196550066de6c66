import { type Exercise, fieldEncoder } from '@healthsync/partner-kit';

const calories = (e: Exercise) =>
  e.calories ?? (e.caloriesPerHour ?? Number.NaN) * (e.durationSeconds / 3600);

/**
 * Log Activity parameters for a custom activity (`activityName` + `manualCalories`), in the user's
 * local time and metric units (distance in km: we send no Accept-Language).
 */
export const fromExercise = fieldEncoder<Exercise>({
  refuse: (e) => (Number.isNaN(calories(e)) ? 'exercise needs calories or calories per hour' : undefined),
  fields: {
    activityName: 'name',
    manualCalories: (e) => Math.round(calories(e)),
    startTime: { time: 'startedAt', format: 'time' },
    durationMillis: { from: 'durationSeconds', unit: 'ms' },
    date: { time: 'startedAt', format: 'date' },
    distance: { from: 'distanceMeters', unit: 'km', decimals: 3 },
  },
});
