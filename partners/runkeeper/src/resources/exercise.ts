import { EXERCISE } from '../mappers/to-exercise.js';
import { feedResource } from './feed.js';

export const exercise = feedResource({ ...EXERCISE, path: 'fitness_activities', item: 'FitnessActivity' });
