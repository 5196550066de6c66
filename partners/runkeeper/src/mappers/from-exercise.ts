import { EXERCISE } from './to-exercise.js';

/** An exercise -> a NewFitnessActivity / FitnessActivity body (never posted to social networks). */
export const fromExercise = EXERCISE.fromApp;
