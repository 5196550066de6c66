import { FOOD } from './to-food.js';

/** A food entry -> a NewNutritionSet / NutritionSet body (calories required; name and meal have no field). */
export const fromFood = FOOD.fromApp;
