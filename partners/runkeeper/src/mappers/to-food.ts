import { fromRfc2822Local, schemaMapper } from '@healthsync/partner-kit';
import { RunKeeperNutritionSet } from '../schemas.js';

/** A NutritionSetFeed item -> a food entry. Sets carry no name or meal: the name says where it came from. */
export const toFood = schemaMapper(RunKeeperNutritionSet, 'not a RunKeeper nutrition set', (set) => {
  const consumedAt = fromRfc2822Local(set.timestamp, 0)?.iso;
  if (!consumedAt)
    return { externalId: set.uri, reject: `food has no readable timestamp: ${set.timestamp ?? 'absent'}` };
  return {
    externalId: set.uri,
    candidate: {
      kind: 'food',
      name: `${set.source?.trim() || 'RunKeeper'} nutrition`,
      meal: 'other',
      consumedAt,
      utcOffsetMinutes: 0,
      calories: set.calories ?? undefined,
      ...(set.protein != null && { proteinGrams: set.protein }),
      ...(set.fat != null && { fatGrams: set.fat }),
      ...(set.carbohydrates != null && { carbsGrams: set.carbohydrates }),
    },
  };
});
