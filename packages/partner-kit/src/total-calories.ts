import type { Exercise } from './containers.js';

/**
 * An exercise's total calories (kcal), for partners that take a total: as given, or its calories
 * per hour over its duration; undefined without either.
 */
export const totalCalories = ({ calories, caloriesPerHour, durationSeconds }: Exercise): number | undefined =>
  calories ?? (caloriesPerHour === undefined ? undefined : (caloriesPerHour * durationSeconds) / 3600);
