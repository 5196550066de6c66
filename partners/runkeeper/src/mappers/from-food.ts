import type { Food } from '@healthsync/partner-kit';
import { toRunKeeperTime, valid } from './common.js';

/** A food entry -> a NewNutritionSet / NutritionSet body (calories required; name and meal have no field). */
export function fromFood(item: Food) {
  const f = valid('food', item);
  return {
    timestamp: toRunKeeperTime(f.consumedAt),
    calories: f.calories,
    ...(f.proteinGrams !== undefined && { protein: f.proteinGrams }),
    ...(f.fatGrams !== undefined && { fat: f.fatGrams }),
    ...(f.carbsGrams !== undefined && { carbohydrates: f.carbsGrams }),
  };
}
