import { fromExercise } from '../mappers/from-exercise.js';
import { toExercise } from '../mappers/to-exercise.js';
import { feedResource } from './feed.js';

export const exercise = feedResource({
  kind: 'exercise',
  path: 'fitness_activities',
  item: 'FitnessActivity',
  toApp: toExercise,
  fromApp: fromExercise,
});
