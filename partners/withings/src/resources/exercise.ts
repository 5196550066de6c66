import { type Exercise, type KindResource, pollPage } from '@healthsync/partner-kit';
import { toExercise } from '../mappers/to-exercise.js';
import { WithingsWorkoutsBody } from '../schemas.js';
import { getSince } from './withings-http.js';

export const exercise: KindResource<Exercise> = {
  /** Workouts by `modified`; here `more` is a boolean.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measurev2-getworkouts */
  async poll(ctx, cursor) {
    const { body, page } = await getSince(ctx, cursor, {
      path: '/v2/measure',
      query: { action: 'getworkouts' },
      body: WithingsWorkoutsBody,
      list: (b) => b.series,
    });
    return pollPage('exercise', body.series, toExercise, page);
  },
};
