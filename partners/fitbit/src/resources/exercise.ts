import { daysBack, itemDays, jsonResource } from '@healthsync/partner-kit';
import { z } from 'zod';
import { fromExercise } from '../mappers/from-exercise.js';
import { toExercise } from '../mappers/to-exercise.js';
import { CREATED } from './fitbit-http.js';

const REREAD_DAYS = 2;
const FIRST_DAYS = 30;

export const exercise = jsonResource({
  kind: 'exercise',
  // https://dev.fitbit.com/build/reference/web-api/activity/get-activity-log-list/ (follow `next` until "")
  list: {
    /** `after`: the afterDate of the next poll (it moves with every page); `next`: the pagination link being followed. */
    cursor: { keys: { since: 'after', page: 'next', mark: 'after' }, since: z.string(), page: z.url() },
    initial: daysBack(FIRST_DAYS, 'day'),
    path: '/1/user/-/activities/list.json',
    query: (at) => ({ afterDate: at.since, sort: 'asc', limit: 100 }),
    items: 'activities',
    map: toExercise,
    // The next poll starts REREAD_DAYS before the latest local start day seen, never before `after`.
    mark: itemDays(REREAD_DAYS),
    paging: { next: 'pagination.next' },
  },
  create: { path: '/1/user/-/activities.json', encode: 'query', body: fromExercise, id: CREATED },
  delete: { path: '/1/user/-/activities/{id}.json' },
});
