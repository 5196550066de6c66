import { fromFood } from '../mappers/from-food.js';
import { toFood } from '../mappers/to-food.js';
import { feedResource } from './feed.js';

export const food = feedResource({
  kind: 'food',
  path: 'nutrition',
  item: 'NutritionSet',
  toApp: toFood,
  fromApp: fromFood,
});
