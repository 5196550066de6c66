import { type Food, fieldEncoder } from '@healthsync/partner-kit';

/** A food entry -> a NewNutritionSet / NutritionSet body (calories required; name and meal have no field). */
export const fromFood = fieldEncoder<Food>({
  check: { kind: 'food', partner: 'RunKeeper' },
  fields: {
    timestamp: { time: 'consumedAt', format: 'rfc2822-local' },
    calories: 'calories',
    protein: 'proteinGrams',
    fat: 'fatGrams',
    carbohydrates: 'carbsGrams',
  },
});
