import { formatOffset, isoWithOffset } from '@healthsync/partner-kit';
import { params, type StoredItem } from '@healthsync/partner-kit/fake';
import express, { type Request, type Response, type Router } from 'express';
import { SPORT_TYPES, type StravaFakeActivity, type StravaFakeData } from './data.js';

/**
 * The Strava API v3 endpoints the partner module uses (paths as under www.strava.com/api/v3).
 * The token, scopes and rate limits are checked before these routes (index.ts): `res.locals.userId`
 * is the athlete and `res.locals.scope` the granted scopes.
 */

export interface StravaFieldError {
  resource: string;
  field: string;
  code: string;
}

export function stravaError(res: Response, status: number, message: string, errors: StravaFieldError[] = []) {
  res.status(status).json({ message, errors });
}

const badRequest = (res: Response, resource: string, field: string, code: string) =>
  stravaError(res, 400, 'Bad Request', [{ resource, field, code }]);
const notFound = (res: Response, resource: string) =>
  stravaError(res, 404, 'Record Not Found', [{ resource, field: 'id', code: 'invalid' }]);

/** Query, form and JSON body parameters, as strings. */
function allParams(req: Request): Record<string, string> {
  const out = params(req);
  if (req.is('application/json') && typeof req.body === 'object' && req.body !== null)
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>))
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  return out;
}

const flag = (v: string | undefined, fallback: boolean) =>
  v === undefined ? fallback : v === 'true' || v === '1';
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);
const utc = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export function stravaDataRoutes(data: StravaFakeData): Router {
  const r = express.Router();
  const athleteOf = (res: Response) => String(res.locals.userId);
  const granted = (res: Response, ...any: string[]) =>
    String(res.locals.scope)
      .split(',')
      .some((s) => any.includes(s));

  const athleteJson = (id: string, detailed: boolean) => {
    const a = data.athlete(id);
    return {
      id: Number(id),
      username: a.username,
      resource_state: detailed ? 3 : 2,
      firstname: a.firstname,
      lastname: a.lastname,
      city: null,
      country: null,
      premium: false,
      summit: false,
      created_at: utc(a.createdAt),
      updated_at: utc(a.updatedAt),
      ...(detailed
        ? { measurement_preference: 'meters', ftp: null, weight: a.weight, bikes: [], shoes: [], clubs: [] }
        : {}),
    };
  };

  const activityJson = (item: StoredItem<StravaFakeActivity>, detailed: boolean) => {
    const a = item.data;
    const local = isoWithOffset(a.start, a.offsetMinutes).iso.slice(0, 19);
    const type = SPORT_TYPES[a.sportType]?.type ?? a.sportType;
    return {
      resource_state: detailed ? 3 : 2,
      athlete: { id: Number(item.userId), resource_state: 1 },
      name: a.name,
      distance: a.distance,
      moving_time: a.movingTime,
      elapsed_time: a.elapsedTime,
      total_elevation_gain: 0,
      type,
      sport_type: a.sportType,
      id: Number(item.id),
      start_date: utc(a.start),
      // Strava's quirk: local wall-clock time, written with a "Z".
      start_date_local: `${local}Z`,
      timezone: `(GMT${formatOffset(a.offsetMinutes)}) ${a.timezone}`,
      utc_offset: a.offsetMinutes * 60,
      achievement_count: 0,
      kudos_count: 0,
      trainer: a.trainer,
      commute: a.commute,
      manual: a.manual,
      private: false,
      visibility: 'everyone',
      average_speed: a.movingTime > 0 ? Math.round((a.distance / a.movingTime) * 1000) / 1000 : 0,
      has_heartrate: false,
      ...(detailed ? { description: a.description, calories: a.calories } : {}),
    };
  };

  // https://developers.strava.com/docs/reference/#api-Athletes-getLoggedInAthlete
  r.get('/api/v3/athlete', (_req, res) => {
    res.json(athleteJson(athleteOf(res), granted(res, 'profile:read_all')));
  });

  // https://developers.strava.com/docs/reference/#api-Athletes-updateLoggedInAthlete
  r.put('/api/v3/athlete', (req, res) => {
    if (!granted(res, 'profile:write'))
      return stravaError(res, 401, 'Authorization Error', [
        { resource: 'AccessToken', field: 'profile:write', code: 'missing' },
      ]);
    const p = allParams(req);
    const weight = Number(p.weight);
    if (p.weight === undefined || !Number.isFinite(weight) || weight < 0)
      return badRequest(res, 'Athlete', 'weight', 'invalid');
    const a = data.athlete(athleteOf(res));
    a.weight = Math.round(weight * 100) / 100;
    a.updatedAt = data.clock.now();
    res.json(athleteJson(athleteOf(res), true));
  });

  // https://developers.strava.com/docs/reference/#api-Activities-getLoggedInAthleteActivities
  r.get('/api/v3/athlete/activities', (req, res) => {
    if (!granted(res, 'activity:read', 'activity:read_all'))
      return stravaError(res, 401, 'Authorization Error', [
        { resource: 'AccessToken', field: 'activity:read_permission', code: 'missing' },
      ]);
    const p = allParams(req);
    const int = (v: string | undefined, d: number) =>
      v === undefined ? d : /^\d+$/.test(v) ? Number(v) : Number.NaN;
    const before = int(p.before, Number.POSITIVE_INFINITY);
    const after = int(p.after, Number.NEGATIVE_INFINITY);
    const page = int(p.page, 1);
    const perPage = int(p.per_page, 30);
    for (const [field, v] of [
      ['before', before],
      ['after', after],
    ] as const)
      if (Number.isNaN(v)) return badRequest(res, 'Application', field, 'invalid');
    if (!(page >= 1)) return badRequest(res, 'Application', 'page', 'invalid');
    if (!(perPage >= 1 && perPage <= 200)) return badRequest(res, 'Application', 'per_page', 'invalid');
    // With only `after`, oldest first (so `after` + `page` walks forward); otherwise newest first.
    const ascending = p.after !== undefined && p.before === undefined;
    const list = data.activities
      .list(athleteOf(res))
      .filter((i) => epoch(i.data.start) > after && epoch(i.data.start) < before)
      .sort(
        (a, b) =>
          (ascending ? 1 : -1) *
          (a.data.start.getTime() - b.data.start.getTime() || Number(a.id) - Number(b.id)),
      );
    res.json(list.slice((page - 1) * perPage, page * perPage).map((i) => activityJson(i, false)));
  });

  // https://developers.strava.com/docs/reference/#api-Activities-getActivityById
  r.get('/api/v3/activities/:id', (req, res) => {
    if (!granted(res, 'activity:read', 'activity:read_all'))
      return stravaError(res, 401, 'Authorization Error', [
        { resource: 'AccessToken', field: 'activity:read_permission', code: 'missing' },
      ]);
    const item = data.activities.get(athleteOf(res), String(req.params.id));
    if (!item) return notFound(res, 'Activity');
    res.json(activityJson(item, true));
  });

  const writeAllowed = (res: Response) => {
    if (granted(res, 'activity:write')) return true;
    stravaError(res, 401, 'Authorization Error', [
      { resource: 'AccessToken', field: 'activity:write_permission', code: 'missing' },
    ]);
    return false;
  };

  // https://developers.strava.com/docs/reference/#api-Activities-createActivity
  r.post('/api/v3/activities', (req, res) => {
    if (!writeAllowed(res)) return;
    const p = allParams(req);
    const sportType = p.sport_type ?? p.type;
    for (const [field, v] of [
      ['name', p.name],
      ['sport_type', sportType],
      ['start_date_local', p.start_date_local],
      ['elapsed_time', p.elapsed_time],
    ] as const)
      if (!v) return badRequest(res, 'Activity', field, 'missing');
    const athleteId = athleteOf(res);
    const athlete = data.athlete(athleteId);
    const wall = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/.exec(p.start_date_local ?? '')?.[1];
    const wallMs = wall ? Date.parse(`${wall}Z`) : Number.NaN;
    if (Number.isNaN(wallMs)) return badRequest(res, 'Activity', 'start_date_local', 'invalid');
    const elapsedTime = Number(p.elapsed_time);
    if (!Number.isInteger(elapsedTime) || elapsedTime <= 0)
      return badRequest(res, 'Activity', 'elapsed_time', 'invalid');
    const distance = p.distance === undefined ? 0 : Number(p.distance);
    if (!Number.isFinite(distance) || distance < 0) return badRequest(res, 'Activity', 'distance', 'invalid');
    if (!SPORT_TYPES[sportType ?? '']) return badRequest(res, 'Activity', 'sport_type', 'invalid');
    const item = data.activities.insert(athleteId, {
      name: p.name ?? '',
      sportType: sportType ?? 'Workout',
      start: new Date(wallMs - athlete.offsetMinutes * 60_000),
      offsetMinutes: athlete.offsetMinutes,
      timezone: athlete.timezone,
      elapsedTime,
      movingTime: elapsedTime,
      distance,
      calories: data.estimateCalories(athleteId, sportType ?? 'Workout', elapsedTime),
      description: p.description ?? '',
      trainer: flag(p.trainer, false),
      commute: flag(p.commute, false),
      manual: true,
    });
    res.status(201).json(activityJson(item, true));
  });

  // https://developers.strava.com/docs/reference/#api-Activities-updateActivityById (UpdatableActivity)
  r.put('/api/v3/activities/:id', (req, res) => {
    if (!writeAllowed(res)) return;
    const athleteId = athleteOf(res);
    const item = data.activities.get(athleteId, String(req.params.id));
    if (!item) return notFound(res, 'Activity');
    const p = allParams(req);
    const sportType = p.sport_type ?? p.type;
    if (sportType !== undefined && !SPORT_TYPES[sportType])
      return badRequest(res, 'Activity', 'sport_type', 'invalid');
    const updated = data.activities.update(athleteId, item.id, (a) => ({
      ...a,
      name: p.name ?? a.name,
      sportType: sportType ?? a.sportType,
      description: p.description ?? a.description,
      trainer: flag(p.trainer, a.trainer),
      commute: flag(p.commute, a.commute),
    }));
    if (!updated) return notFound(res, 'Activity');
    res.json(activityJson(updated, true));
  });

  return r;
}
