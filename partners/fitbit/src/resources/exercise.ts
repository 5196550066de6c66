import { daysBack, itemDays, jsonResource, textCursor } from '@healthsync/partner-kit';
import { EXERCISE } from '../mappers/to-exercise.js';

export const exercise = jsonResource({
  kind: 'exercise',
  // https://dev.fitbit.com/build/reference/web-api/activity/get-activity-log-list/ (follow `next` until "")
  list: {
    /** `after`: the afterDate of the next poll (it moves with every page); `next`: the pagination link being followed. */
    cursor: textCursor({ since: 'after', page: 'next', mark: 'after' }, { page: 'url' }),
    // A first pass reads the last 30 days.
    initial: daysBack(30, 'day'),
    path: '/activities/list.json',
    query: (at) => ({ afterDate: at.since, sort: 'asc', limit: 100 }),
    items: 'activities',
    map: EXERCISE.toApp,
    // The next poll starts 2 days before the latest local start day seen, never before `after`.
    mark: itemDays(2),
    paging: { next: 'pagination.next' },
  },
  // The answer is `{activityLog: {logId, ...}}`.
  create: { path: '/activities.json', encode: 'query', body: EXERCISE.fromApp, id: 'activityLog.logId' },
  delete: { path: '/activities/{id}.json' },
});
