import { fromFood } from '../mappers/from-food.js';
import { toFood } from '../mappers/to-food.js';
import { feedResource } from './feed.js';

export const food = feedResource({
  kind: 'food',
  path: 'nutrition',
  names: { feed: 'NutritionSetFeed', item: 'NutritionSet', create: 'NewNutritionSet' },
  toApp: toFood,
  fromApp: fromFood,
});
