import {
  addDays,
  type Exercise,
  type KindResource,
  localParts,
  PartnerError,
  pollPage,
  readSinceCursor,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import { fromExercise } from '../mappers/from-exercise.js';
import { toExercise } from '../mappers/to-exercise.js';
import { FitbitActivityList, FitbitDay } from '../schemas.js';
import { create, get, logId, remove } from './fitbit-http.js';

/** `after`: the afterDate of the next poll (it moves with every page); `next`: the pagination link being followed. */
const KEYS = { since: 'after', page: 'next', mark: 'after' };
const REREAD_DAYS = 2;
const FIRST_DAYS = 30;

// https://dev.fitbit.com/build/reference/web-api/activity/get-activity-log-list/ (follow `next` until "")
export const exercise: KindResource<Exercise> = {
  async poll({ http, now }, cursor) {
    const initial = addDays(now.toISOString().slice(0, 10), -FIRST_DAYS);
    const c = readSinceCursor(cursor, { keys: KEYS, since: FitbitDay, page: z.url(), initial });
    const page = c.page
      ? await get(http, c.page, FitbitActivityList)
      : await get(http, '/1/user/-/activities/list.json', FitbitActivityList, {
          afterDate: c.since,
          sort: 'asc',
          limit: 100,
        });
    const result = pollPage('exercise', page.activities, toExercise);
    // The next poll starts REREAD_DAYS before the latest local start day seen, never before `after`.
    const seen = result.items.map((i) => addDays(localParts(i.data.startedAt).date, -REREAD_DAYS));
    return { ...result, ...c.next(seen, page.pagination.next || undefined) };
  },
  async create({ http }, item) {
    const params = fromExercise(item);
    if ('reject' in params) throw new PartnerError('invalid_data', String(params.reject));
    return { externalId: await create(http, '/1/user/-/activities.json', params) };
  },
  async delete({ http }, externalId) {
    await remove(http, `/1/user/-/activities/${logId(externalId)}.json`);
  },
};
