import { type Food, fieldEncoder } from '@healthsync/partner-kit';
import { MEALS } from './to-food.js';

/** Create Food Log parameters for a custom food (`foodName` + `calories`, optional macros in grams):
 * one serving (Fitbit food unit 304) of `calories`, on the local day. */
export const fromFood = fieldEncoder<Food>({
  fields: {
    foodName: 'name',
    mealTypeId: { code: 'meal', table: MEALS },
    unitId: { is: '304' },
    amount: { is: '1.00' },
    date: { time: 'consumedAt', format: 'date' },
    calories: (f) => Math.round(f.calories),
    protein: 'proteinGrams',
    totalFat: 'fatGrams',
    totalCarbohydrate: 'carbsGrams',
  },
});
