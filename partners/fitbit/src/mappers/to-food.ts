import { codeTable, dateFields, definedFields, localToIso, schemaMapper } from '@healthsync/partner-kit';
import { FitbitFoodLog } from '../schemas.js';

/**
 * Fitbit meal types: 1 Breakfast, 2 Morning Snack, 3 Lunch, 4 Afternoon Snack, 5 Dinner, 7 Anytime.
 * A snack is logged as an afternoon snack, anything else as Anytime.
 */
export const MEALS = codeTable(
  { 1: 'breakfast', 2: 'snack', 3: 'lunch', 4: 'snack', 5: 'dinner' },
  { app: 'other', partner: '7', send: { snack: '4' } },
);

/** Food logs carry a date only; they are placed at noon local time. */
export const toFood = schemaMapper(
  FitbitFoodLog,
  'food log',
  ({ logId, logDate, loggedFood, nutritionalValues: n }, offsetMinutes: number) => ({
    externalId: logId,
    candidate: {
      name: loggedFood.name,
      meal: MEALS.toApp(loggedFood.mealTypeId),
      ...dateFields('food', localToIso(`${logDate}T12:00:00`, offsetMinutes)),
      ...definedFields({
        calories: n?.calories ?? loggedFood.calories,
        proteinGrams: n?.protein,
        fatGrams: n?.fat,
        carbsGrams: n?.carbs,
      }),
    },
  }),
);
