import { linkId, twoWayFields } from '@healthsync/partner-kit';

/** A NutritionSetFeed item (kcal, grams; local time without zone: read as UTC) <-> a food entry,
 * written as a NewNutritionSet / NutritionSet body. Sets carry no name or meal: the name says where
 * it came from. Calories are required. */
export const FOOD = twoWayFields('food', {
  label: 'nutrition set',
  id: linkId('uri'),
  at: { from: 'timestamp', format: 'rfc2822-local' },
  fields: {
    calories: 'calories',
    proteinGrams: 'protein',
    fatGrams: 'fat',
    carbsGrams: 'carbohydrates',
  },
  read: {
    name: (r) => `${r.text('source') ?? 'RunKeeper'} nutrition`,
    meal: { is: 'other' },
  },
});
