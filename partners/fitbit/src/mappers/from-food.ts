import { type Food, isoWithOffset, localParts } from '@healthsync/partner-kit';
import { MEALS } from './to-food.js';

/** Fitbit food unit 304 is "serving": a custom food is logged as one serving of `calories`. */
const SERVING_UNIT = '304';

/** Create Food Log parameters for a custom food (`foodName` + `calories`, optional macros in grams). */
export function fromFood(f: Food): Readonly<Record<string, string>> {
  const { date } = localParts(isoWithOffset(new Date(f.consumedAt), f.utcOffsetMinutes).iso);
  return {
    foodName: f.name,
    mealTypeId: MEALS.fromApp(f.meal),
    unitId: SERVING_UNIT,
    amount: '1.00',
    date,
    calories: String(Math.round(f.calories)),
    ...(f.proteinGrams === undefined ? {} : { protein: String(f.proteinGrams) }),
    ...(f.fatGrams === undefined ? {} : { totalFat: String(f.fatGrams) }),
    ...(f.carbsGrams === undefined ? {} : { totalCarbohydrate: String(f.carbsGrams) }),
  };
}
