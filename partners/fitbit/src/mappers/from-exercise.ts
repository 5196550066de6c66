import { type Exercise, fieldEncoder } from '@healthsync/partner-kit';

/** The calories, or calories per hour over the duration; undefined without either. */
const calories = ({ calories, caloriesPerHour, durationSeconds }: Exercise) =>
  calories ?? (caloriesPerHour === undefined ? undefined : (caloriesPerHour * durationSeconds) / 3600);

/**
 * Log Activity parameters for a custom activity (`activityName` + `manualCalories`), in the user's
 * local time and metric units (distance in km: we send no Accept-Language).
 */
export const fromExercise = fieldEncoder<Exercise>({
  refuse: (e) => (calories(e) === undefined ? 'exercise needs calories or calories per hour' : undefined),
  fields: {
    activityName: 'name',
    manualCalories: (e) => Math.round(calories(e) ?? 0),
    startTime: { time: 'startedAt', format: 'time' },
    durationMillis: { from: 'durationSeconds', unit: 'ms' },
    date: { time: 'startedAt', format: 'date' },
    distance: { from: 'distanceMeters', unit: 'km', decimals: 3 },
  },
});
