import type { Exercise, KindResource, ResourceContext } from '@healthsync/partner-kit';
import { backfillThenSince, getJson, isoBasicUtc, localDay, pollPage } from '@healthsync/partner-kit';
import { activitiesOf, toExercise } from '../mappers/to-exercise.js';
import { MovesProfile, MovesStoryline } from '../schemas.js';

const RANGE_DAYS = 31;
/** An unreadable answer is classified transient (retried), as this module always has. */
const READ = { mismatch: 'transient' } as const;

/** https://dev.moves-app.com/docs/api (user profile): where a new connection's backfill starts and ends. */
async function begin(ctx: ResourceContext) {
  const { profile } = await getJson(ctx.http, '/user/profile', MovesProfile, READ);
  const offsetMinutes = Math.round((profile.currentTimeZone?.offset ?? 0) / 60);
  return { from: profile.firstDate, today: localDay(ctx.now, offsetMinutes).replace(/-/g, '') };
}

/**
 * A backfill reads the history in 31-day `from`/`to` ranges (days `yyyyMMdd`), then each poll asks
 * for the past 31 days `updatedSince` the previous poll, stamped five minutes early so nothing
 * updated while we read is skipped. https://dev.moves-app.com/docs/api (daily activities)
 */
export const exercise: KindResource<Exercise> = {
  async poll(ctx, cursor) {
    const stamp = isoBasicUtc(new Date(ctx.now.getTime() - 300_000));
    const c = await backfillThenSince(cursor, { span: RANGE_DAYS, stamp, begin: () => begin(ctx) });
    const query = c.range ?? { pastDays: RANGE_DAYS, updatedSince: c.since ?? stamp };
    const days = await getJson(ctx.http, '/user/activities/daily', MovesStoryline, { query, ...READ });
    return pollPage('exercise', activitiesOf(days), toExercise, c.next);
  },
};
