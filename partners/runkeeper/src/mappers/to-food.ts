import { fieldMapper, linkId } from '@healthsync/partner-kit';

/** A NutritionSetFeed item (kcal, grams; local time without zone: read as UTC) -> a food entry.
 * Sets carry no name or meal: the name says where it came from. */
export const toFood = fieldMapper('food', {
  label: 'nutrition set',
  id: linkId('uri'),
  at: { from: 'timestamp', format: 'rfc2822-local' },
  fields: {
    name: (r) => `${r.text('source') ?? 'RunKeeper'} nutrition`,
    meal: { is: 'other' },
    calories: 'calories',
    proteinGrams: 'protein',
    fatGrams: 'fat',
    carbsGrams: 'carbohydrates',
  },
});
