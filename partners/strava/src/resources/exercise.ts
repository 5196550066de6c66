import { daysBack, jsonResource, numberCursor, rawAt } from '@healthsync/partner-kit';
import { fromExerciseUpdate } from '../mappers/from-exercise.js';
import { EXERCISE } from '../mappers/to-exercise.js';

// https://developers.strava.com/docs/reference/#api-Activities-getLoggedInAthleteActivities
// The list has no calories, so each new activity is read in full (getActivityById). Strava's
// read budget is per application (1,000 a day), so a poll reads only what started after the
// latest start seen; edits and deletions on Strava are not re-read.
export const exercise = jsonResource({
  kind: 'exercise',
  list: {
    /** `after`: epoch seconds the list starts after; `page`: the page being read; `max`: latest start seen. */
    cursor: numberCursor({ since: 'after', page: 'page', mark: 'max' }, { firstPage: 1 }),
    // A new connection reads the past 30 days.
    initial: daysBack(30, 'epoch'),
    path: '/athlete/activities',
    query: (at) => ({ after: at.since }),
    items: '',
    detail: '/activities/{id}',
    map: EXERCISE.toApp,
    mark: (raws) => raws.map((d) => Date.parse(String(rawAt(d, 'start_date'))) / 1000),
    paging: { pageSize: 30, query: { page: 'page', size: 'per_page' } },
  },
  // https://developers.strava.com/docs/reference/#api-Activities-createActivity
  create: { path: '/activities', encode: 'form', body: EXERCISE.fromApp, id: 'id' },
  // https://developers.strava.com/docs/reference/#api-Activities-updateActivityById
  update: { path: '/activities/{id}', encode: 'form', body: fromExerciseUpdate, id: 'id' },
});
