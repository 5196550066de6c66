import { codeTable, twoWayFields, type Zone } from '@healthsync/partner-kit';

/**
 * Fitbit meal types: 1 Breakfast, 2 Morning Snack, 3 Lunch, 4 Afternoon Snack, 5 Dinner, 7 Anytime.
 * A snack is logged as an afternoon snack, anything else as Anytime.
 */
export const MEALS = codeTable(
  { 1: 'breakfast', 2: 'snack', 3: 'lunch', 4: 'snack', 5: 'dinner' },
  { app: 'other', partner: '7', send: { snack: '4' } },
);

/**
 * A food log <-> a custom food. Read: a log at the user's offset (minutes); food logs carry a date
 * only and are placed at noon local time. Written: Create Food Log parameters (`foodName` +
 * `calories`, optional macros in grams), one serving (Fitbit food unit 304) on the local day.
 */
export const FOOD = twoWayFields<'food', Zone>('food', {
  label: 'food log',
  id: 'logId',
  at: { from: 'logDate', format: 'local', defaultTime: '12:00:00' },
  dateAs: ['date'],
  fields: {
    name: { read: 'loggedFood.name', write: 'foodName' },
    meal: { read: 'loggedFood.mealTypeId', write: 'mealTypeId', table: MEALS },
    proteinGrams: { read: 'nutritionalValues.protein', write: 'protein' },
    fatGrams: { read: 'nutritionalValues.fat', write: 'totalFat' },
    carbsGrams: { read: 'nutritionalValues.carbs', write: 'totalCarbohydrate' },
  },
  read: { calories: { from: ['nutritionalValues.calories', 'loggedFood.calories'] } },
  write: { calories: (f) => Math.round(f.calories), unitId: { is: '304' }, amount: { is: '1.00' } },
});
