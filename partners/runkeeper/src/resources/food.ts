import { FOOD } from '../mappers/to-food.js';
import { feedResource } from './feed.js';

export const food = feedResource(FOOD, 'nutrition', 'NutritionSet');
