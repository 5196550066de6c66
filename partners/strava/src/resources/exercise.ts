import { type Exercise, type KindResource, pollPage, readSinceCursor } from '@healthsync/partner-kit';
import { z } from 'zod';
import { fromExercise, fromExerciseUpdate } from '../mappers/from-exercise.js';
import { toExercise } from '../mappers/to-exercise.js';
import { StravaActivity, StravaActivityList } from '../schemas.js';
import { activityId, call } from './strava-http.js';

/** `after`: epoch seconds the list starts after; `page`: the page being read; `max`: latest start seen. */
const KEYS = { since: 'after', page: 'page', mark: 'max' };
const PER_PAGE = 30;
const FIRST_DAYS = 30;
const int = z.number().int();

// https://developers.strava.com/docs/reference/#api-Activities-getLoggedInAthleteActivities
// The list has no calories, so each new activity is read in full (getActivityById). Strava's
// read budget is per application (1,000 a day), so a poll reads only what started after the
// latest start seen; edits and deletions on Strava are not re-read.
export const exercise: KindResource<Exercise> = {
  async poll({ http, now }, cursor) {
    const initial = Math.floor(now.getTime() / 1000) - FIRST_DAYS * 86_400;
    const c = readSinceCursor(cursor, { keys: KEYS, since: int, page: int.positive(), initial });
    const page = c.page ?? 1;
    const query = { after: c.since, page, per_page: PER_PAGE };
    const list = await call(http, { method: 'GET', path: '/athlete/activities', query }, StravaActivityList);
    const details: unknown[] = [];
    for (const { id } of list)
      details.push(await call(http, { method: 'GET', path: `/activities/${id}` }, z.unknown()));
    const starts = details.flatMap((d) => StravaActivity.safeParse(d).data?.start_date ?? []);
    const next = c.next(
      starts.map((d) => Date.parse(d) / 1000),
      list.length === PER_PAGE ? page + 1 : undefined,
    );
    return { ...pollPage('exercise', details, toExercise), ...next };
  },
  // https://developers.strava.com/docs/reference/#api-Activities-createActivity
  async create({ http }, item) {
    const req = { method: 'POST', path: '/activities', form: fromExercise(item) } as const;
    return { externalId: (await call(http, req, StravaActivity)).id };
  },
  // https://developers.strava.com/docs/reference/#api-Activities-updateActivityById
  async update({ http }, externalId, item) {
    const req = {
      method: 'PUT',
      path: `/activities/${activityId(externalId)}`,
      form: fromExerciseUpdate(item),
    } as const;
    return { externalId: (await call(http, req, StravaActivity)).id };
  },
};
