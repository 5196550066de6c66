import { Food, type PolledItem } from '@healthsync/partner-kit';
import { FitbitFoodLog } from '../schemas.js';
import { check, localIso, type Mapped } from './mapped.js';

/** Fitbit meal types: 1 Breakfast, 2 Morning Snack, 3 Lunch, 4 Afternoon Snack, 5 Dinner, 7 Anytime. */
const MEALS: Readonly<Record<number, Food['meal']>> = {
  1: 'breakfast',
  2: 'snack',
  3: 'lunch',
  4: 'snack',
  5: 'dinner',
};

/** Food logs carry a date only; they are placed at noon local time. */
export const FOOD_TIME = '12:00:00';

export function toFood(raw: unknown, offsetMinutes: number): Mapped<PolledItem<Food>> {
  const log = check(FitbitFoodLog, raw);
  if (!log.ok) return log;
  const { logId, logDate, loggedFood, nutritionalValues: n } = log.value;
  const calories = n?.calories ?? loggedFood.calories;
  if (calories === undefined) return { ok: false, reason: 'food log has no calories' };
  const f = check(Food, {
    kind: 'food',
    name: loggedFood.name,
    meal: MEALS[loggedFood.mealTypeId] ?? 'other',
    consumedAt: localIso(logDate, FOOD_TIME, offsetMinutes),
    utcOffsetMinutes: offsetMinutes,
    calories,
    ...(n?.protein === undefined ? {} : { proteinGrams: n.protein }),
    ...(n?.fat === undefined ? {} : { fatGrams: n.fat }),
    ...(n?.carbs === undefined ? {} : { carbsGrams: n.carbs }),
  });
  return f.ok ? { ok: true, value: { externalId: logId, data: f.value } } : f;
}
