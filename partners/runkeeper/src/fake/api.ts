import { fakeBodyParsers, paginate } from '@healthsync/partner-kit/fake';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import { z } from 'zod';
import {
  newestFirst,
  parseLocalTime,
  type ResourceKey,
  type RunKeeperFakeData,
  TIME_FIELD,
  WRITABLE,
} from './store.js';

/**
 * The Health Graph resource API as the fake serves it (https://runkeeper.com/developer/healthgraph/overview):
 * `/user` discovery, vendor media types on Accept and Content-Type, feeds newest first with
 * `page`/`pageSize` and `previous`/`next`, modification filters, 201 + Location on create,
 * PUT to update and DELETE (204). Errors are plain text, as RunKeeper's are.
 */
export const vnd = (name: string) => `application/vnd.com.runkeeper.${name}+json`;

/** Both generations of names are accepted (the older docs used `Weight+json`, the newer `WeightSet+json`). */
export const RESOURCES: Record<
  ResourceKey,
  { path: string; feed: string[]; item: string[]; create: string[] }
> = {
  fitness_activities: {
    path: '/fitnessActivities',
    feed: ['FitnessActivityFeed'],
    item: ['FitnessActivity', 'FitnessActivitySummary'],
    create: ['NewFitnessActivity'],
  },
  weight: {
    path: '/weight',
    feed: ['WeightSetFeed', 'WeightFeed'],
    item: ['WeightSet', 'Weight'],
    create: ['NewWeightSet', 'NewWeight'],
  },
  nutrition: {
    path: '/nutrition',
    feed: ['NutritionSetFeed', 'NutritionFeed'],
    item: ['NutritionSet', 'Nutrition'],
    create: ['NewNutritionSet', 'NewNutrition'],
  },
};

/** Fields the partner sets; a PUT keeps them. */
const READ_ONLY = ['source', 'entry_mode', 'tracking_mode', 'has_path', 'utc_offset'];
const DEFAULT_PAGE_SIZE = 25;

const Day = z.iso.date();
const FeedQuery = z.object({
  page: z.coerce.number().int().min(0).default(0),
  pageSize: z.coerce.number().int().min(1).max(100).default(DEFAULT_PAGE_SIZE),
  noEarlierThan: Day.optional(),
  noLaterThan: Day.optional(),
  modifiedNoEarlierThan: Day.optional(),
  modifiedNoLaterThan: Day.optional(),
});

export interface RunKeeperApiDeps {
  readonly data: RunKeeperFakeData;
  /** The user a request's Bearer token (or `access_token` parameter) belongs to; undefined: 401. */
  readonly authenticate: (req: Request) => string | undefined;
  /** Run after authentication, before the resources (faults, rate limits; `res.locals.userId` is set). */
  readonly before?: readonly RequestHandler[];
  /** `source` of items created through the API. */
  readonly clientName?: string;
  /** Serve resources at other paths than RunKeeper's (clients must follow `/user`, not hard-code). */
  readonly paths?: Partial<Record<ResourceKey, string>>;
  /** The largest page the server hands out, whatever `pageSize` asks (tests shrink it). */
  readonly maxPageSize?: () => number | undefined;
}

const text = (res: Response, status: number, body: string) =>
  void res.status(status).type('text/plain').send(body);
/** JSON under the vendor media type, spelled exactly (Express would lower-case it). */
function json(res: Response, name: string | undefined, body: unknown): void {
  res.setHeader('content-type', `${vnd(name ?? '')}; charset=utf-8`);
  res.end(JSON.stringify(body));
}
const userOf = (res: Response): string => String(res.locals.userId);
const numericId = (id: string) => (/^\d+$/.test(id) ? Number(id) : id);

/** The item a client writes, or undefined once a 400 naming every problem is sent. */
function writable(key: ResourceKey, req: Request, res: Response): Record<string, unknown> | undefined {
  const body = WRITABLE[key].safeParse(req.body);
  if (body.success) return body.data;
  text(
    res,
    400,
    `Bad Request: ${body.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
  );
  return undefined;
}

function accepts(names: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const accept = req.get('accept');
    if (!accept || accept.includes('*/*') || names.some((n) => accept.includes(vnd(n)))) return next();
    text(res, 406, `Not Acceptable: this resource is served as ${vnd(names[0] ?? '')}`);
  };
}

function contentType(names: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type && names.some((n) => vnd(n).toLowerCase() === type)) return next();
    text(res, 415, `Unsupported Media Type: expected ${vnd(names[0] ?? '')}`);
  };
}

export function runKeeperApi(deps: RunKeeperApiDeps): Router {
  const { data } = deps;
  const router = express.Router();
  const itemId = (req: Request) => String(req.params.id);
  const pathOf = (key: ResourceKey) => deps.paths?.[key] ?? RESOURCES[key].path;

  router.use(...fakeBodyParsers());
  router.use((req, res, next) => {
    const userId = deps.authenticate(req);
    if (!userId) return text(res, 401, 'Unauthorized: missing, invalid or revoked access token');
    res.locals.userId = userId;
    next();
  });
  router.use(...(deps.before ?? []));

  // https://runkeeper.com/developer/healthgraph/example-api-calls (GET /user)
  router.get('/user', accepts(['User']), (_req, res) => {
    json(res, 'User', {
      userID: numericId(userOf(res)),
      profile: '/profile',
      settings: '/settings',
      fitness_activities: pathOf('fitness_activities'),
      strength_training_activities: '/strengthTrainingActivities',
      background_activities: '/backgroundActivities',
      sleep: '/sleep',
      nutrition: pathOf('nutrition'),
      weight: pathOf('weight'),
      general_measurements: '/generalMeasurements',
      diabetes: '/diabetes',
      records: '/records',
      team: '/team',
    });
  });

  for (const [key, names] of Object.entries(RESOURCES) as [ResourceKey, (typeof RESOURCES)[ResourceKey]][]) {
    const spec = { ...names, path: pathOf(key) };
    const present = (id: string, body: Record<string, unknown>) => ({ ...body, uri: `${spec.path}/${id}` });

    // https://runkeeper.com/developer/healthgraph/overview (feeds and paging)
    router.get(spec.path, accepts(spec.feed), (req, res) => {
      const q = FeedQuery.safeParse(req.query);
      if (!q.success)
        return text(
          res,
          400,
          `Bad Request: ${q.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
        );
      const { page, pageSize: _asked, ...filters } = q.data;
      const pageSize = Math.min(q.data.pageSize, deps.maxPageSize?.() ?? q.data.pageSize);
      const dayOf = (body: Record<string, unknown>) => {
        const at = parseLocalTime(String(body[TIME_FIELD[key]] ?? ''));
        return at === undefined ? '' : new Date(at).toISOString().slice(0, 10);
      };
      const all = newestFirst(data, userOf(res), key).filter((item) => {
        const modified = item.modifiedAt.toISOString().slice(0, 10);
        const day = dayOf(item.data);
        return (
          (!filters.modifiedNoEarlierThan || modified >= filters.modifiedNoEarlierThan) &&
          (!filters.modifiedNoLaterThan || modified <= filters.modifiedNoLaterThan) &&
          (!filters.noEarlierThan || day >= filters.noEarlierThan) &&
          (!filters.noLaterThan || day <= filters.noLaterThan)
        );
      });
      const kept = Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined);
      const link = (p: number) =>
        `${spec.path}?${new URLSearchParams([...kept, ['page', String(p)], ['pageSize', String(pageSize)]])}`;
      const slice = paginate(all, page * pageSize, pageSize);
      json(res, spec.feed[0], {
        size: slice.total,
        items: slice.items.map((i) => present(i.id, i.data)),
        ...(page > 0 && { previous: link(page - 1) }),
        ...(slice.more && { next: link(page + 1) }),
      });
    });

    // https://runkeeper.com/developer/healthgraph/overview (writes: 201 Created + Location)
    router.post(spec.path, contentType(spec.create), (req, res) => {
      const body = writable(key, req, res);
      if (!body) return;
      const extra = key === 'fitness_activities' ? { entry_mode: 'API', has_path: false } : {};
      const item = data[key].insert(userOf(res), {
        ...body,
        ...extra,
        source: deps.clientName ?? 'Healthsync',
      });
      res.status(201).location(`${spec.path}/${item.id}`).end();
    });

    router.get(`${spec.path}/:id`, accepts(spec.item), (req, res) => {
      const item = data[key].get(userOf(res), itemId(req));
      if (!item) return text(res, 404, 'Not Found');
      json(res, spec.item[0], { ...present(item.id, item.data), userID: numericId(userOf(res)) });
    });

    router.put(`${spec.path}/:id`, contentType(spec.item), (req, res) => {
      const item = data[key].get(userOf(res), itemId(req));
      if (!item) return text(res, 404, 'Not Found');
      const body = writable(key, req, res);
      if (!body) return;
      const kept = Object.fromEntries(READ_ONLY.filter((k) => k in item.data).map((k) => [k, item.data[k]]));
      data[key].update(userOf(res), item.id, { ...body, ...kept });
      json(res, spec.item[0], present(item.id, { ...body, ...kept }));
    });

    router.delete(`${spec.path}/:id`, (req, res) => {
      if (!data[key].remove(userOf(res), itemId(req))) return text(res, 404, 'Not Found');
      res.status(204).end();
    });
  }

  router.use((_req, res) => text(res, 404, 'Not Found'));
  return router;
}
