import { fakeBodyParsers, paginate, params } from '@healthsync/partner-kit/fake';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { type Action, intParam, send, WithingsFailure } from './envelope.js';
import type { Notifications } from './notify.js';
import type { StoredGroup, StoredWorkout, WithingsStore } from './store.js';

export type WithingsAuth = { ok: true; userid: number } | { ok: false; status: number; error: string };

export interface ApiRoutesOptions {
  store: WithingsStore;
  notify: Notifications;
  authenticate(req: Request, p: Readonly<Record<string, string>>): WithingsAuth;
  /** The application-wide rate limiter: false when this request is over the limit. */
  admit(req: Request): boolean;
  /** Fault injection (the kit's `createFaults().middleware`), after the rate limit. */
  faults: RequestHandler;
  pageSize(): number;
  nowSeconds(): number;
}

function intList(p: Readonly<Record<string, string>>, name: string): number[] | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+(,\d+)*$/.test(v)) throw new WithingsFailure(503, `Invalid Params: ${name}`);
  return v.split(',').map(Number);
}

/** The page at `offset` (kit paging); 503 "Invalid Params" for a negative offset. */
function pageOf<T>(items: readonly T[], p: Readonly<Record<string, string>>, size: number) {
  const offset = intParam(p, 'offset') ?? 0;
  if (offset < 0) throw new WithingsFailure(503, 'Invalid Params: offset');
  return paginate(items, offset, size);
}

const renderGroup = (g: StoredGroup, types: readonly number[] | undefined) => ({
  grpid: g.grpid,
  attrib: g.attrib,
  date: g.date,
  created: g.created,
  modified: g.modified,
  category: g.category,
  deviceid: g.deviceid,
  hash_deviceid: g.deviceid,
  measures: g.measures
    .filter((m) => !types || types.includes(m.type))
    .map((m) => ({ value: m.value, type: m.type, unit: m.unit, algo: 0, fm: 128 })),
  modelid: g.model === null ? null : 6,
  model: g.model,
  comment: null,
});

const ymd = (epochSeconds: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    epochSeconds * 1000,
  );

const renderWorkout = (w: StoredWorkout, fields: readonly string[] | undefined) => ({
  id: w.id,
  category: w.category,
  timezone: w.timezone,
  model: w.model,
  attrib: w.attrib,
  startdate: w.startdate,
  enddate: w.enddate,
  date: ymd(w.startdate, w.timezone),
  modified: w.modified,
  deviceid: w.deviceid,
  data: fields ? Object.fromEntries(Object.entries(w.data).filter(([k]) => fields.includes(k))) : w.data,
});

/**
 * The data services, chosen by path and `action` (query or form body, GET or POST).
 * Every answer is HTTP 200 with a `{status, body}` envelope.
 */
export function createApiRoutes(o: ApiRoutesOptions): Router {
  const services: Record<string, Record<string, Action>> = {
    // https://developer.withings.com/api-reference/#tag/measure/operation/measure-getmeas
    '/measure': {
      getmeas: ({ user, p, now }) => {
        const types = intList(p, 'meastypes') ?? (p.meastype ? [intParam(p, 'meastype') ?? 0] : undefined);
        const category = intParam(p, 'category');
        const [start, end, lastupdate] = [
          intParam(p, 'startdate'),
          intParam(p, 'enddate'),
          intParam(p, 'lastupdate'),
        ];
        const matching = user.groups
          .filter(
            (g) =>
              (category === undefined || g.category === category) &&
              (start === undefined || g.date >= start) &&
              (end === undefined || g.date <= end) &&
              (lastupdate === undefined || g.modified > lastupdate) &&
              (!types || g.measures.some((m) => types.includes(m.type))),
          )
          .sort((a, b) => b.date - a.date || b.grpid - a.grpid);
        const { items, more, nextOffset } = pageOf(matching, p, o.pageSize());
        return {
          updatetime: now,
          timezone: user.timezone,
          measuregrps: items.map((g) => renderGroup(g, types)),
          more: more ? 1 : 0,
          offset: more ? nextOffset : 0,
        };
      },
    },
    // https://developer.withings.com/api-reference/#tag/measure/operation/measurev2-getworkouts
    '/v2/measure': {
      getworkouts: ({ user, p }) => {
        const lastupdate = intParam(p, 'lastupdate');
        const [from, to] = [p.startdateymd, p.enddateymd];
        for (const [name, v] of [
          ['startdateymd', from],
          ['enddateymd', to],
        ] as const)
          if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v))
            throw new WithingsFailure(503, `Invalid Params: ${name}`);
        const fields = p.data_fields ? p.data_fields.split(',') : undefined;
        const matching = user.workouts
          .filter((w) => {
            const day = ymd(w.startdate, w.timezone);
            return (
              (lastupdate === undefined || w.modified > lastupdate) &&
              (!from || day >= from) &&
              (!to || day <= to)
            );
          })
          .sort((a, b) => b.startdate - a.startdate || b.id - a.id);
        const { items, more, nextOffset } = pageOf(matching, p, o.pageSize());
        return { series: items.map((w) => renderWorkout(w, fields)), more, offset: more ? nextOffset : 0 };
      },
    },
    // https://developer.withings.com/api-reference/#tag/notify
    '/notify': o.notify.actions,
  };

  /** 120 requests a minute per application; over it, status 601 (HTTP 200).
   * https://developer.withings.com/developer-guide/v3/integration-guide/public-health-data-api/data-api/rate-limits */
  const rateLimit: RequestHandler = (req, res, next) =>
    o.admit(req) ? next() : send(res, 601, {}, 'Too many requests: 120 requests per minute per application');
  const router = express.Router();
  for (const [path, actions] of Object.entries(services)) {
    router.use(path, ...fakeBodyParsers());
    router.all(path, rateLimit, o.faults, async (req, res) => {
      const p = params(req);
      const action = p.action ? actions[p.action] : undefined;
      if (!action) return send(res, 2554, {}, `Not implemented: unknown action ${p.action ?? '(none)'}`);
      const auth = o.authenticate(req, p);
      if (!auth.ok) return send(res, auth.status, {}, auth.error);
      try {
        const user = o.store.user(auth.userid) ?? o.store.createUser(auth.userid);
        return send(res, 0, await action({ user, p, now: o.nowSeconds() }));
      } catch (e) {
        if (e instanceof WithingsFailure) return send(res, e.status, {}, e.message);
        return send(res, 5000, {}, 'An unknown error occurred');
      }
    });
  }
  return router;
}
