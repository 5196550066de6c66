import { type Food, sendable, toRfc2822Local } from '@healthsync/partner-kit';

/** A food entry -> a NewNutritionSet / NutritionSet body (calories required; name and meal have no field). */
export function fromFood(item: Food) {
  const f = sendable('food', item, 'RunKeeper');
  return {
    timestamp: toRfc2822Local(f.consumedAt),
    calories: f.calories,
    ...(f.proteinGrams !== undefined && { protein: f.proteinGrams }),
    ...(f.fatGrams !== undefined && { fat: f.fatGrams }),
    ...(f.carbsGrams !== undefined && { carbohydrates: f.carbsGrams }),
  };
}
