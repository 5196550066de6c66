import type { Exercise, KindResource, ResourceContext } from '@healthsync/partner-kit';
import { decodeCursor, encodeCursor, getJson, pollPage } from '@healthsync/partner-kit';
import { z } from 'zod';
import { activitiesOf, toExercise } from '../mappers/to-exercise.js';
import { MovesProfile, MovesStoryline } from '../schemas.js';

const Day = z.string().regex(/^\d{8}$/);
/** A backfill walks from `firstDate` to the day it started in 31-day ranges; then `updatedSince` polls follow. */
const Cursor = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('backfill'), from: Day, today: Day, started: z.string() }),
  z.object({ phase: z.literal('incremental'), since: z.string() }),
]);
type Cursor = z.infer<typeof Cursor>;

const RANGE_DAYS = 31;
/** An unreadable answer is classified transient (retried), as this module always has. */
const READ = { partner: 'Moves', mismatch: 'transient' } as const;
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
const dayMs = (day: string) =>
  Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
const addDays = (day: string, n: number) => toDay(dayMs(day) + n * 86_400_000);
const earliest = (a: string, b: string) => [a, b].sort()[0] ?? a;
/** `yyyyMMdd'T'HHmmssZ`, a few minutes early so nothing updated while we read is skipped. */
const stamp = (now: Date) =>
  `${new Date(now.getTime() - 300_000).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

/** https://dev.moves-app.com/docs/api (daily activities): a `from`/`to` range, or `pastDays` with `updatedSince`. */
const daily = async (ctx: ResourceContext, query: Record<string, string | number>) =>
  activitiesOf(await getJson(ctx.http, '/user/activities/daily', MovesStoryline, { query, ...READ }));

/** https://dev.moves-app.com/docs/api (user profile): where a new connection's backfill starts and ends. */
async function begin(ctx: ResourceContext): Promise<Cursor> {
  const { firstDate, currentTimeZone } = (await getJson(ctx.http, '/user/profile', MovesProfile, READ))
    .profile;
  const today = toDay(ctx.now.getTime() + (currentTimeZone?.offset ?? 0) * 1000);
  return { phase: 'backfill', from: earliest(firstDate, today), today, started: stamp(ctx.now) };
}

export const exercise: KindResource<Exercise> = {
  async poll(ctx, cursor) {
    const state = decodeCursor(cursor, Cursor) ?? (await begin(ctx));
    if (state.phase === 'incremental') {
      const activities = await daily(ctx, { pastDays: RANGE_DAYS, updatedSince: state.since });
      return pollPage('exercise', activities, toExercise, {
        nextCursor: encodeCursor({ phase: 'incremental', since: stamp(ctx.now) }),
      });
    }
    const to = earliest(addDays(state.from, RANGE_DAYS - 1), state.today);
    const activities = await daily(ctx, { from: state.from, to });
    const more = to !== state.today;
    const next: Cursor = more
      ? { ...state, from: addDays(to, 1) }
      : { phase: 'incremental', since: state.started };
    return pollPage('exercise', activities, toExercise, { more, nextCursor: encodeCursor(next) });
  },
};
