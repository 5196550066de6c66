import { EXERCISE } from '../mappers/to-exercise.js';
import { feedResource } from './feed.js';

export const exercise = feedResource(EXERCISE, 'fitness_activities', 'FitnessActivity');
