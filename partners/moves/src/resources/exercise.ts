import {
  decodeCursor,
  type Exercise,
  encodeCursor,
  type KindResource,
  PartnerError,
  type PartnerResponse,
  pollPage,
  type ResourceContext,
} from '@healthsync/partner-kit';
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
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
const dayMs = (day: string) =>
  Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
const addDays = (day: string, n: number) => toDay(dayMs(day) + n * 86_400_000);
const earliest = (a: string, b: string) => [a, b].sort()[0] ?? a;
/** `yyyyMMdd'T'HHmmssZ`, a few minutes early so nothing updated while we read is skipped. */
const stamp = (now: Date) =>
  `${new Date(now.getTime() - 300_000).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

function parseBody<T extends z.ZodType>(schema: T, res: PartnerResponse, what: string): z.output<T> {
  const parsed = schema.safeParse(res.body);
  if (!parsed.success)
    throw new PartnerError('transient', `Moves ${what} unreadable: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** https://dev.moves-app.com/docs/api (user profile): the first day with data and the user's current offset. */
async function begin(ctx: ResourceContext): Promise<Cursor> {
  const res = await ctx.http.request({ method: 'GET', path: '/user/profile' });
  const { profile } = parseBody(MovesProfile, res, 'profile');
  const today = toDay(ctx.now.getTime() + (profile.currentTimeZone?.offset ?? 0) * 1000);
  return {
    phase: 'backfill',
    from: earliest(profile.firstDate, today),
    today,
    started: stamp(ctx.now),
  };
}

/** https://dev.moves-app.com/docs/api (daily activities): `from`/`to` up to 31 days, or `pastDays` with `updatedSince`. */
export const exercise: KindResource<Exercise> = {
  async poll(ctx, cursor) {
    const state = decodeCursor(cursor, Cursor) ?? (await begin(ctx));
    const to =
      state.phase === 'backfill' ? earliest(addDays(state.from, RANGE_DAYS - 1), state.today) : undefined;
    const query =
      state.phase === 'backfill'
        ? { from: state.from, to }
        : { pastDays: RANGE_DAYS, updatedSince: state.since };
    const res = await ctx.http.request({ method: 'GET', path: '/user/activities/daily', query });
    const days = parseBody(MovesStoryline, res, 'daily activities');
    const more = state.phase === 'backfill' && to !== state.today;
    const next: Cursor =
      state.phase === 'incremental'
        ? { phase: 'incremental', since: stamp(ctx.now) }
        : more
          ? { ...state, from: addDays(to ?? state.today, 1) }
          : { phase: 'incremental', since: state.started };
    return pollPage('exercise', activitiesOf(days), toExercise, { more, nextCursor: encodeCursor(next) });
  },
};
