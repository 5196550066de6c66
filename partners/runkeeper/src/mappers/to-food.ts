import type { Food } from '@healthsync/partner-kit';
import { RunKeeperNutritionSet } from '../schemas.js';
import { check, fromRunKeeperTime, type Mapped, reject } from './common.js';

/** A NutritionSetFeed item -> a food entry. Sets carry no name or meal: the name says where it came from. */
export function toFood(raw: unknown): Mapped<Food> {
  const parsed = RunKeeperNutritionSet.safeParse(raw);
  if (!parsed.success) return reject(`not a RunKeeper nutrition set: ${parsed.error.message}`, raw);
  const set = parsed.data;
  const consumedAt = fromRunKeeperTime(set.timestamp, 0);
  if (!consumedAt)
    return reject(`timestamp missing or unreadable: ${set.timestamp ?? 'absent'}`, raw, set.uri);
  if (set.calories == null) return reject('nutrition set without calories', raw, set.uri);
  return check(
    'food',
    set.uri,
    {
      kind: 'food',
      name: `${set.source?.trim() || 'RunKeeper'} nutrition`,
      meal: 'other',
      consumedAt,
      utcOffsetMinutes: 0,
      calories: set.calories,
      ...(set.protein != null && { proteinGrams: set.protein }),
      ...(set.fat != null && { fatGrams: set.fat }),
      ...(set.carbohydrates != null && { carbsGrams: set.carbohydrates }),
    },
    raw,
  );
}
