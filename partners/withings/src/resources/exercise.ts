import type { Exercise, KindResource } from '@healthsync/partner-kit';
import { toExercise } from '../mappers/to-exercise.js';
import { WithingsWorkoutsBody } from '../schemas.js';
import { pollSince } from './withings-http.js';

export const exercise: KindResource<Exercise> = {
  /** Workouts by `modified`; here `more` is a boolean.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measurev2-getworkouts */
  poll: pollSince(
    'exercise',
    '/v2/measure',
    { action: 'getworkouts' },
    WithingsWorkoutsBody,
    (b) => b.series,
    toExercise,
  ),
};
