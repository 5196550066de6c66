import {
  decodeCursor,
  type Exercise,
  encodeCursor,
  type KindResource,
  localParts,
  PartnerError,
  pollPage,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import { fromExercise } from '../mappers/from-exercise.js';
import { toExercise } from '../mappers/to-exercise.js';
import { FitbitActivityList } from '../schemas.js';
import { addDays, create, get, logId, remove } from './fitbit-http.js';

/** `after`: the afterDate of the next poll; `next`: the pagination link being followed. */
const Cursor = z.object({ after: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), next: z.url().optional() });
const REREAD_DAYS = 2;
const FIRST_DAYS = 30;

// https://dev.fitbit.com/build/reference/web-api/activity/get-activity-log-list/ (follow `next` until "")
export const exercise: KindResource<Exercise> = {
  async poll({ http, now }, cursor) {
    const c = decodeCursor(cursor, Cursor) ?? { after: addDays(now.toISOString().slice(0, 10), -FIRST_DAYS) };
    const page = c.next
      ? await get(http, c.next, FitbitActivityList)
      : await get(http, '/1/user/-/activities/list.json', FitbitActivityList, {
          afterDate: c.after,
          sort: 'asc',
          limit: 100,
        });
    const result = pollPage('exercise', page.activities, toExercise);
    // The next poll starts REREAD_DAYS before the latest local start day seen, never before `after`.
    const seen = result.items.map((i) => addDays(localParts(i.data.startedAt).date, -REREAD_DAYS));
    const after = [c.after, ...seen].sort().at(-1) ?? c.after;
    const next = page.pagination.next;
    return { ...result, nextCursor: encodeCursor(next ? { after, next } : { after }), more: next !== '' };
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
