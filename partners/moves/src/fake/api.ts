import type { FakeClock } from '@healthsync/partner-kit/fake';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { addDays, dayAt, type MovesFakeData, type MovesFakeDay, parseMovesTime } from './store.js';

/**
 * The Moves API 1.1 as the fake serves it (https://dev.moves-app.com/docs/api), under `/api/1.1`:
 * the profile, and daily activities / storyline for a day, a `from`/`to` range or `pastDays`,
 * narrowed by `updatedSince`, with the documented range limits and scopes.
 */
export interface MovesApiDeps {
  readonly data: MovesFakeData;
  readonly clock: FakeClock;
  /** The user and scopes of a request's Bearer token (or `access_token` parameter); undefined: 401. */
  readonly authenticate: (req: Request) => { userId: string; scopes: readonly string[] } | undefined;
  /** Run after authentication (rate limits, faults). */
  readonly before?: readonly RequestHandler[];
}

const Day = z.string().regex(/^\d{8}$/, 'expected yyyyMMdd');
const RangeQuery = z.object({
  from: Day.optional(),
  to: Day.optional(),
  pastDays: z.coerce.number().int().min(1).max(31).optional(),
  updatedSince: z
    .string()
    .refine((t) => parseMovesTime(t) !== undefined, "expected yyyyMMdd'T'HHmmssZ")
    .optional(),
  trackPoints: z.enum(['true', 'false']).optional(),
});

const text = (res: Response, status: number, body: string) =>
  void res.status(status).type('text/plain').send(body);

/** Activities view of a day: segments that hold activities, without places or track points. */
function activitiesView(day: MovesFakeDay): MovesFakeDay {
  const segments = day.segments
    ?.filter((s) => (s.activities?.length ?? 0) > 0)
    .map(({ place: _place, ...segment }) => segment);
  return {
    date: day.date,
    segments: segments && segments.length > 0 ? segments : null,
    ...(day.lastUpdate && { lastUpdate: day.lastUpdate }),
  };
}

export function movesApi(deps: MovesApiDeps): Router {
  const { data } = deps;
  const router = express.Router();

  router.use((req, res, next) => {
    const auth = deps.authenticate(req);
    if (!auth) return text(res, 401, 'Unauthorized: invalid or expired access token');
    res.locals.userId = auth.userId;
    res.locals.scopes = auth.scopes;
    next();
  });
  router.use(...(deps.before ?? []));

  const profileOf = (userId: string) =>
    data.profiles.get(userId) ?? {
      firstDate: dayAt(deps.clock.now().getTime(), 0),
      timeZone: { id: 'UTC', offset: 0 },
    };

  // https://dev.moves-app.com/docs/api (user profile)
  router.get('/user/profile', (_req, res) => {
    const userId = String(res.locals.userId);
    const profile = profileOf(userId);
    res.json({
      userId: Number(userId),
      profile: {
        firstDate: profile.firstDate,
        currentTimeZone: profile.timeZone,
        localization: { language: 'en', locale: 'en_US', firstWeekDay: 1, metric: true },
        caloriesAvailable: true,
        platform: 'ios',
      },
    });
  });

  /** https://dev.moves-app.com/docs/api (daily activities) and .../v1/api_storyline (daily storyline). */
  const daily =
    (kind: 'activities' | 'storyline'): RequestHandler =>
    (req, res) => {
      const scopes: readonly string[] = res.locals.scopes ?? [];
      const needed = kind === 'activities' ? ['activity'] : ['activity', 'location'];
      if (!needed.every((s) => scopes.includes(s)))
        return text(res, 403, `Forbidden: needs scope ${needed.join(' ')}`);
      const q = RangeQuery.safeParse(req.query);
      if (!q.success)
        return text(
          res,
          400,
          `Bad Request: ${q.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
        );
      const userId = String(res.locals.userId);
      const profile = profileOf(userId);
      const today = dayAt(deps.clock.now().getTime(), profile.timeZone.offset);
      const single = typeof req.params.date === 'string' ? req.params.date : undefined;
      if (single !== undefined && !/^\d{8}$/.test(single))
        return text(res, 400, 'Bad Request: date must be yyyyMMdd');
      let [from, to] = single ? [single, single] : [q.data.from, q.data.to];
      if (!single && q.data.pastDays !== undefined) {
        to = today;
        from = addDays(today, 1 - q.data.pastDays);
        if (from < profile.firstDate) from = profile.firstDate;
      }
      if (!from || !to) return text(res, 400, 'Bad Request: give a date, from and to, or pastDays');
      const maxDays = kind === 'activities' ? 31 : q.data.trackPoints === 'true' ? 1 : 7;
      if (from > to || addDays(from, maxDays - 1) < to)
        return text(res, 400, `Bad Request: range must be 1..${maxDays} days`);
      if (from < profile.firstDate || to > today)
        return text(res, 400, `Bad Request: range must lie between ${profile.firstDate} and ${today}`);
      const since = q.data.updatedSince === undefined ? undefined : parseMovesTime(q.data.updatedSince);
      const days: MovesFakeDay[] = [];
      for (let day = from; day <= to; day = addDays(day, 1)) {
        const stored = data.days.get(userId, day);
        if (since !== undefined && (!stored || stored.modifiedAt.getTime() < since)) continue;
        const value = stored?.data ?? { date: day, segments: null };
        days.push(kind === 'activities' ? activitiesView(value) : value);
      }
      res.json(days);
    };
  router.get('/user/activities/daily', daily('activities'));
  router.get('/user/activities/daily/:date', daily('activities'));
  router.get('/user/storyline/daily', daily('storyline'));
  router.get('/user/storyline/daily/:date', daily('storyline'));

  router.use((_req, res) => text(res, 404, 'Not Found'));
  return router;
}
