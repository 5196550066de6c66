import { type Exercise, type KindResource, PartnerError } from '@healthsync/partner-kit';
import { z } from 'zod';
import { fromExercise } from '../mappers/from-exercise.js';
import { collect, offsetOf, wallClock } from '../mappers/mapped.js';
import { toExercise } from '../mappers/to-exercise.js';
import { FitbitActivityList } from '../schemas.js';
import { addDays, create, get, logId, remove } from './fitbit-http.js';

/** `after`: the afterDate of the next poll; `next`: the pagination link being followed. */
const Cursor = z.object({ after: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), next: z.url().optional() });
const REREAD_DAYS = 2;
const FIRST_DAYS = 30;

function readCursor(cursor: string | undefined, now: Date): z.output<typeof Cursor> {
  try {
    return Cursor.parse(JSON.parse(cursor ?? ''));
  } catch {
    return { after: addDays(now.toISOString().slice(0, 10), -FIRST_DAYS) };
  }
}

// https://dev.fitbit.com/build/reference/web-api/activity/get-activity-log-list/ (follow `next` until "")
export const exercise: KindResource<Exercise> = {
  async poll({ http, now }, cursor) {
    const c = readCursor(cursor, now);
    const query = { afterDate: c.after, sort: 'asc', limit: 100 };
    const page = c.next
      ? await get(http, c.next, FitbitActivityList)
      : await get(http, '/1/user/-/activities/list.json', FitbitActivityList, query);
    const result = collect(page.activities.map((raw) => ({ raw, mapped: toExercise(raw) })));
    // The next poll starts REREAD_DAYS before the latest local start day seen, never before `after`.
    const days = result.items.map((i) =>
      addDays(wallClock(i.data.startedAt, offsetOf(i.data.startedAt)).date, -REREAD_DAYS),
    );
    const after = [c.after, ...days].sort().at(-1) ?? c.after;
    const next = page.pagination.next === '' ? {} : { next: page.pagination.next };
    return { ...result, nextCursor: JSON.stringify({ after, ...next }), more: page.pagination.next !== '' };
  },
  async create({ http }, item) {
    const params = fromExercise(item);
    if (!params.ok) throw new PartnerError('invalid_data', params.reason);
    return { externalId: await create(http, '/1/user/-/activities.json', params.value) };
  },
  async delete({ http }, externalId) {
    await remove(http, `/1/user/-/activities/${logId(externalId)}.json`);
  },
};
