import type { Exercise, KindResource } from '@healthsync/partner-kit';
import { toExercise } from '../mappers/to-exercise.js';
import { WithingsWorkoutsBody } from '../schemas.js';
import { pollSince } from './poll-since.js';

export const exercise: KindResource<Exercise> = {
  /** Workouts by `modified`; here `more` is a boolean.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measurev2-getworkouts */
  poll: (ctx, cursor) =>
    pollSince(ctx, cursor, {
      path: '/v2/measure',
      query: { action: 'getworkouts' },
      body: WithingsWorkoutsBody,
      list: (body) => body.series,
      map: toExercise,
    }),
};
