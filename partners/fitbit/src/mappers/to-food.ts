import { codeTable, fieldMapper } from '@healthsync/partner-kit';

/**
 * Fitbit meal types: 1 Breakfast, 2 Morning Snack, 3 Lunch, 4 Afternoon Snack, 5 Dinner, 7 Anytime.
 * A snack is logged as an afternoon snack, anything else as Anytime.
 */
export const MEALS = codeTable(
  { 1: 'breakfast', 2: 'snack', 3: 'lunch', 4: 'snack', 5: 'dinner' },
  { app: 'other', partner: '7', send: { snack: '4' } },
);

/** A food log at the user's offset (minutes). Food logs carry a date only; they are placed at noon local time. */
export const toFood = fieldMapper<number>('food', {
  label: 'food log',
  id: 'logId',
  at: { from: 'logDate', format: 'local', defaultTime: '12:00:00' },
  fields: {
    name: 'loggedFood.name',
    meal: { code: 'loggedFood.mealTypeId', table: MEALS },
    calories: { from: ['nutritionalValues.calories', 'loggedFood.calories'] },
    proteinGrams: 'nutritionalValues.protein',
    fatGrams: 'nutritionalValues.fat',
    carbsGrams: 'nutritionalValues.carbs',
  },
});
