import { jsonResource } from '@healthsync/partner-kit';
import { toExercise } from '../mappers/to-exercise.js';
import { lastUpdate } from './withings-http.js';

export const exercise = jsonResource({
  kind: 'exercise',
  /** Workouts by `modified`. https://developer.withings.com/api-reference/#tag/measure/operation/measurev2-getworkouts */
  list: {
    ...lastUpdate({ action: 'getworkouts' }),
    path: '/v2/measure',
    items: 'body.series',
    map: toExercise,
  },
});
