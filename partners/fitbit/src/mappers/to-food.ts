import { definedFields, type Food, localToIso, schemaMapper } from '@healthsync/partner-kit';
import { FitbitFoodLog } from '../schemas.js';

/** Fitbit meal types: 1 Breakfast, 2 Morning Snack, 3 Lunch, 4 Afternoon Snack, 5 Dinner, 7 Anytime. */
const MEALS: Readonly<Record<number, Food['meal']>> = {
  1: 'breakfast',
  2: 'snack',
  3: 'lunch',
  4: 'snack',
  5: 'dinner',
};

/** Food logs carry a date only; they are placed at noon local time. */
export const toFood = schemaMapper(
  FitbitFoodLog,
  'food log',
  ({ logId, logDate, loggedFood, nutritionalValues: n }, offsetMinutes: number) => {
    const at = localToIso(`${logDate}T12:00:00`, offsetMinutes);
    return {
      externalId: logId,
      candidate: {
        name: loggedFood.name,
        meal: MEALS[loggedFood.mealTypeId] ?? 'other',
        consumedAt: at.iso,
        utcOffsetMinutes: at.utcOffsetMinutes,
        ...definedFields({
          calories: n?.calories ?? loggedFood.calories,
          proteinGrams: n?.protein,
          fatGrams: n?.fat,
          carbsGrams: n?.carbs,
        }),
      },
    };
  },
);
