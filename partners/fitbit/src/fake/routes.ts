import { formatOffset } from '@healthsync/partner-kit';
import { type FakeUserStore, params, requestUrl } from '@healthsync/partner-kit/fake';
import express, { type Request, type Response, type Router } from 'express';
import {
  ACTIVITY_TYPES,
  type ActivityEntry,
  addDays,
  type BodyEntry,
  type FitbitFakeData,
  FOODS,
  type FoodEntry,
} from './data.js';
import { DISTANCE_UNITS, type Units, unitsOf } from './units.js';

/**
 * The Fitbit Web API data endpoints the partner module uses (paths as on api.fitbit.com).
 * Authentication, scopes and the rate limit are checked before these routes (see index.ts):
 * `res.locals.userId` is the token's user and `res.locals.scope` its granted scopes.
 */

export function fitbitError(
  res: Response,
  status: number,
  errorType: string,
  message: string,
  fieldName?: string,
) {
  res
    .status(status)
    .json({ errors: [{ errorType, ...(fieldName ? { fieldName } : {}), message }], success: false });
}

const validation = (res: Response, fieldName: string, message: string) =>
  fitbitError(res, 400, 'validation', message, fieldName);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const PERIODS: Readonly<Record<string, number>> = { '1d': 1, '7d': 7, '30d': 30, '1w': 7, '1m': 30 };

const userOf = (res: Response): string => String(res.locals.userId);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The days of `date/{date}[/{period|end-date}]`; a string is the validation error. */
function dayRange(req: Request, today: string): string[] | string {
  const base = req.params.date === 'today' ? today : String(req.params.date);
  if (!DAY.test(base)) return `Invalid date: ${base}`;
  const second = req.params.end === undefined ? '1d' : String(req.params.end);
  let from = base;
  let to = base;
  if (PERIODS[second] !== undefined) from = addDays(base, 1 - PERIODS[second]);
  else if (DAY.test(second) || second === 'today') to = second === 'today' ? today : second;
  else return `Invalid period: ${second}. Use 1d, 7d, 30d, 1w or 1m (3m, 6m, 1y and max are not supported)`;
  if (to < from) return 'The end date must not be before the base date';
  if (Date.parse(to) - Date.parse(from) > 30 * 86_400_000) return 'The date range must not exceed 31 days';
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** `HH:mm[:ss]` -> `HH:mm:ss`, or undefined when malformed. */
function clock(value: string | undefined): string | undefined {
  const m = value === undefined ? null : CLOCK.exec(value);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return undefined;
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}`;
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}

export function fitbitDataRoutes(data: FitbitFakeData): Router {
  const r = express.Router();

  // ---- body: weight and fat logs -----------------------------------------------------------
  const bodyLogs = { weight: data.weight, fat: data.fat } as const;
  const bodyJson = (
    log: 'weight' | 'fat',
    item: { id: string; data: BodyEntry },
    units: Units,
    userId: string,
  ) => {
    const e = item.data;
    if (log === 'fat')
      return { date: e.date, fat: e.value, logId: Number(item.id), source: e.source, time: e.time };
    const heightM = data.profile(userId).heightCm / 100;
    const fat = data.fat.get(userId, item.id)?.data.value;
    return {
      bmi: round(e.value / (heightM * heightM)),
      date: e.date,
      ...(fat === undefined ? {} : { fat }),
      logId: Number(item.id),
      source: e.source,
      time: e.time,
      weight: round(units.weight.fromMetric(e.value)),
    };
  };

  for (const log of ['weight', 'fat'] as const) {
    const store: FakeUserStore<BodyEntry> = bodyLogs[log];
    // https://dev.fitbit.com/build/reference/web-api/body/get-weight-log/ (and get-bodyfat-log)
    const list = (req: Request, res: Response) => {
      const userId = userOf(res);
      const days = dayRange(req, data.today(userId));
      if (typeof days === 'string') return validation(res, 'date', days);
      const units = unitsOf(req);
      const items = store
        .list(userId)
        .filter((i) => days.includes(i.data.date))
        .sort((a, b) => `${a.data.date}${a.data.time}`.localeCompare(`${b.data.date}${b.data.time}`));
      res.json({ [log]: items.map((i) => bodyJson(log, i, units, userId)) });
    };
    r.get(`/1/user/:user/body/log/${log}/date/:date.json`, list);
    r.get(`/1/user/:user/body/log/${log}/date/:date/:end.json`, list);

    // https://dev.fitbit.com/build/reference/web-api/body/create-weight-log/ (and create-bodyfat-log)
    r.post(`/1/user/:user/body/log/${log}.json`, (req, res) => {
      const p = params(req);
      const value = number(p[log]);
      if (value === undefined || value <= 0)
        return validation(res, log, `Invalid ${log}: ${p[log] ?? 'missing'}`);
      if (!p.date || !DAY.test(p.date))
        return validation(res, 'date', `Invalid date: ${p.date ?? 'missing'}`);
      const time = p.time === undefined ? '23:59:59' : clock(p.time);
      if (!time) return validation(res, 'time', `Invalid time: ${p.time}`);
      const userId = userOf(res);
      const units = unitsOf(req);
      const entry: BodyEntry = {
        date: p.date,
        time,
        value: log === 'weight' ? units.weight.toMetric(value) : value,
        source: 'API',
      };
      const id = data.addBody(store, userId, entry);
      res.status(201).json({ [`${log}Log`]: bodyJson(log, { id, data: entry }, units, userId) });
    });

    // https://dev.fitbit.com/build/reference/web-api/body/delete-weight-log/ (and delete-bodyfat-log)
    r.delete(`/1/user/:user/body/log/${log}/:logId.json`, (req, res) => {
      if (!store.remove(userOf(res), String(req.params.logId)))
        return fitbitError(res, 404, 'not_found', `The ${log} log ${req.params.logId} was not found`);
      res.status(204).end();
    });
  }

  // ---- activities --------------------------------------------------------------------------
  const activityJson = (
    item: { id: string; modifiedAt: Date; data: ActivityEntry },
    units: Units,
    userId: string,
  ) => {
    const a = item.data;
    const startTime = `${a.start}.000${formatOffset(data.profile(userId).offsetMinutes)}`;
    return {
      activeDuration: a.durationMs,
      activityName: a.activityName,
      activityTypeId: a.activityId,
      calories: a.calories,
      ...(a.distanceKm === undefined
        ? {}
        : { distance: round(units.distance.fromMetric(a.distanceKm), 3), distanceUnit: units.distance.name }),
      duration: a.durationMs,
      lastModified: item.modifiedAt.toISOString(),
      logId: Number(item.id),
      logType: a.logType,
      originalDuration: a.durationMs,
      originalStartTime: startTime,
      startTime,
      ...(a.steps === undefined ? {} : { steps: a.steps }),
    };
  };

  // https://dev.fitbit.com/build/reference/web-api/activity/get-activity-log-list/
  r.get('/1/user/:user/activities/list.json', (req, res) => {
    const p = params(req);
    if ((p.afterDate === undefined) === (p.beforeDate === undefined))
      return validation(res, 'afterDate', 'Exactly one of beforeDate or afterDate is required');
    const after = p.afterDate !== undefined;
    const bound = (after ? p.afterDate : p.beforeDate) ?? '';
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/.test(bound))
      return validation(res, after ? 'afterDate' : 'beforeDate', `Invalid date: ${bound}`);
    if (p.sort !== (after ? 'asc' : 'desc'))
      return validation(res, 'sort', `sort must be ${after ? 'asc with afterDate' : 'desc with beforeDate'}`);
    const limit = Number(p.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return validation(res, 'limit', 'limit must be between 1 and 100');
    const offset = p.offset === undefined ? 0 : Number(p.offset);
    if (!Number.isInteger(offset) || offset < 0) return validation(res, 'offset', 'Invalid offset');
    const userId = userOf(res);
    const edge = bound.length === 10 ? `${bound}T00:00:00` : bound;
    const all = data.activities
      .list(userId)
      .filter((i) => (after ? i.data.start > edge : i.data.start < edge))
      .sort((a, b) => (after ? 1 : -1) * a.data.start.localeCompare(b.data.start));
    const size = Math.min(limit, data.activityPageCap ?? limit);
    const page = all.slice(offset, offset + size);
    const link = (o: number) => {
      const u = new URL('/1/user/-/activities/list.json', requestUrl(req));
      u.search = new URLSearchParams({
        offset: String(o),
        limit: String(limit),
        sort: after ? 'asc' : 'desc',
        [after ? 'afterDate' : 'beforeDate']: bound,
      }).toString();
      return u.toString();
    };
    const units = unitsOf(req);
    res.json({
      activities: page.map((i) => activityJson(i, units, userId)),
      pagination: {
        [after ? 'afterDate' : 'beforeDate']: bound,
        limit,
        next: offset + size < all.length ? link(offset + size) : '',
        offset,
        previous: offset > 0 ? link(Math.max(0, offset - size)) : '',
        sort: p.sort,
      },
    });
  });

  // https://dev.fitbit.com/build/reference/web-api/activity/create-activity-log/
  r.post('/1/user/:user/activities.json', (req, res) => {
    const p = params(req);
    const userId = userOf(res);
    const known = p.activityId === undefined ? undefined : ACTIVITY_TYPES[Number(p.activityId)];
    if (p.activityId !== undefined && !known)
      return validation(res, 'activityId', `Invalid activityId: ${p.activityId}`);
    if (!known && !p.activityName)
      return validation(res, 'activityId', 'activityId or activityName is required');
    const manual = number(p.manualCalories);
    if (!known && (manual === undefined || manual < 0))
      return validation(res, 'manualCalories', 'manualCalories is required with activityName');
    const start = clock(p.startTime);
    if (!start) return validation(res, 'startTime', `Invalid startTime: ${p.startTime ?? 'missing'}`);
    const durationMs = Number(p.durationMillis);
    if (!Number.isInteger(durationMs) || durationMs <= 0)
      return validation(res, 'durationMillis', 'Invalid durationMillis');
    if (!p.date || !DAY.test(p.date)) return validation(res, 'date', `Invalid date: ${p.date ?? 'missing'}`);
    const units = unitsOf(req);
    const distance = p.distance === undefined ? undefined : number(p.distance);
    if (p.distance !== undefined && (distance === undefined || distance < 0))
      return validation(res, 'distance', 'Invalid distance');
    const distanceUnit = p.distanceUnit === undefined ? units.distance : DISTANCE_UNITS[p.distanceUnit];
    if (!distanceUnit) return validation(res, 'distanceUnit', `Invalid distanceUnit: ${p.distanceUnit}`);
    const kg = data.weight.list(userId).at(-1)?.data.value ?? 70;
    const entry: ActivityEntry = {
      activityId: known ? Number(p.activityId) : 0,
      activityName: known?.name ?? p.activityName ?? '',
      calories: manual ?? Math.round((known!.met * kg * durationMs) / 3_600_000),
      durationMs,
      ...(distance === undefined ? {} : { distanceKm: distanceUnit.toMetric(distance) }),
      start: `${p.date}T${start}`,
      logType: 'manual',
    };
    const item = data.activities.insert(userId, entry);
    const a = activityJson(item, units, userId);
    res.status(201).json({
      activityLog: {
        activityId: entry.activityId,
        activityParentId: entry.activityId,
        activityParentName: entry.activityName,
        calories: entry.calories,
        description: '',
        ...(a.distance === undefined ? {} : { distance: a.distance }),
        duration: durationMs,
        hasStartTime: true,
        isFavorite: false,
        lastModified: a.lastModified,
        logId: a.logId,
        name: entry.activityName,
        startDate: p.date,
        startTime: start.slice(0, 5),
        steps: 0,
      },
    });
  });

  // https://dev.fitbit.com/build/reference/web-api/activity/delete-activity-log/
  r.delete('/1/user/:user/activities/:logId.json', (req, res) => {
    if (!data.activities.remove(userOf(res), String(req.params.logId)))
      return fitbitError(res, 404, 'not_found', `The activity log ${req.params.logId} was not found`);
    res.status(204).end();
  });

  // ---- food log ----------------------------------------------------------------------------
  const foodJson = (item: { id: string; data: FoodEntry }) => {
    const f = item.data;
    return {
      isFavorite: false,
      logDate: f.date,
      logId: Number(item.id),
      loggedFood: {
        accessLevel: FOODS[f.foodId] ? 'PUBLIC' : 'PRIVATE',
        amount: f.amount,
        brand: '',
        calories: f.calories,
        foodId: f.foodId,
        locale: 'en_US',
        mealTypeId: f.mealTypeId,
        name: f.name,
        unit:
          f.unitId === 147
            ? { id: 147, name: 'gram', plural: 'grams' }
            : { id: f.unitId, name: 'serving', plural: 'servings' },
        units: [f.unitId],
      },
      nutritionalValues: {
        calories: f.calories,
        carbs: f.carbs,
        fat: f.fat,
        fiber: f.fiber,
        protein: f.protein,
        sodium: f.sodium,
      },
    };
  };
  const summary = (userId: string, date: string) => {
    const foods = data.foods.list(userId).filter((i) => i.data.date === date);
    const sum = (k: 'calories' | 'carbs' | 'fat' | 'fiber' | 'protein' | 'sodium') =>
      round(foods.reduce((s, i) => s + i.data[k], 0));
    return {
      foods,
      summary: {
        calories: sum('calories'),
        carbs: sum('carbs'),
        fat: sum('fat'),
        fiber: sum('fiber'),
        protein: sum('protein'),
        sodium: sum('sodium'),
        water: 0,
      },
    };
  };

  // https://dev.fitbit.com/build/reference/web-api/nutrition/get-food-log/
  r.get('/1/user/:user/foods/log/date/:date.json', (req, res) => {
    const userId = userOf(res);
    const date = req.params.date === 'today' ? data.today(userId) : String(req.params.date);
    if (!DAY.test(date)) return validation(res, 'date', `Invalid date: ${date}`);
    const s = summary(userId, date);
    res.json({ foods: s.foods.map(foodJson), summary: s.summary, goals: { calories: 2200 } });
  });

  // https://dev.fitbit.com/build/reference/web-api/nutrition/create-food-log/
  r.post('/1/user/:user/foods/log.json', (req, res) => {
    const p = params(req);
    const catalogued = p.foodId === undefined ? undefined : FOODS[Number(p.foodId)];
    if (p.foodId !== undefined && !catalogued)
      return validation(res, 'foodId', `Invalid foodId: ${p.foodId}`);
    if (!catalogued && !p.foodName) return validation(res, 'foodId', 'foodId or foodName is required');
    const mealTypeId = Number(p.mealTypeId);
    if (![1, 2, 3, 4, 5, 7].includes(mealTypeId))
      return validation(res, 'mealTypeId', `Invalid mealTypeId: ${p.mealTypeId ?? 'missing'}`);
    const unitId = Number(p.unitId);
    if (!Number.isInteger(unitId) || unitId <= 0)
      return validation(res, 'unitId', `Invalid unitId: ${p.unitId ?? 'missing'}`);
    const amount = number(p.amount);
    if (amount === undefined || amount <= 0)
      return validation(res, 'amount', `Invalid amount: ${p.amount ?? 'missing'}`);
    if (!p.date || !DAY.test(p.date)) return validation(res, 'date', `Invalid date: ${p.date ?? 'missing'}`);
    const n = (k: string) => number(p[k]) ?? 0;
    const userId = userOf(res);
    const entry: FoodEntry = catalogued
      ? { ...catalogued, date: p.date, mealTypeId, unitId, amount, ...scaled(catalogued, amount) }
      : {
          date: p.date,
          name: p.foodName ?? '',
          foodId: 700_000 + data.foods.list(userId, { includeDeleted: true }).length,
          mealTypeId,
          unitId,
          amount,
          calories: n('calories'),
          carbs: n('totalCarbohydrate'),
          fat: n('totalFat'),
          fiber: n('dietaryFiber'),
          protein: n('protein'),
          sodium: n('sodium'),
        };
    const item = data.foods.insert(userId, entry);
    res
      .status(201)
      .json({ foodDay: { date: p.date, summary: summary(userId, p.date).summary }, foodLog: foodJson(item) });
  });

  // https://dev.fitbit.com/build/reference/web-api/nutrition/delete-food-log/
  r.delete('/1/user/:user/foods/log/:logId.json', (req, res) => {
    if (!data.foods.remove(userOf(res), String(req.params.logId)))
      return fitbitError(res, 404, 'not_found', `The food log ${req.params.logId} was not found`);
    res.status(204).end();
  });

  // ---- profile -----------------------------------------------------------------------------
  // https://dev.fitbit.com/build/reference/web-api/user/get-profile/
  r.get('/1/user/:user/profile.json', (req, res) => {
    const userId = userOf(res);
    const p = data.profile(userId);
    const units = unitsOf(req);
    const kg = data.weight.list(userId).at(-1)?.data.value;
    res.json({
      user: {
        displayName: p.displayName,
        encodedId: userId,
        height: units.weight.name === 'lb' ? round(p.heightCm / 2.54, 1) : p.heightCm,
        locale: 'en_US',
        offsetFromUTCMillis: p.offsetMinutes * 60_000,
        timezone: p.timezone,
        ...(kg === undefined ? {} : { weight: round(units.weight.fromMetric(kg), 1) }),
        weightUnit: units.locale,
      },
    });
  });

  return r;
}

function scaled(food: (typeof FOODS)[number], amount: number) {
  const k = (v: number) => round(v * amount);
  return {
    calories: k(food.calories),
    carbs: k(food.carbs),
    fat: k(food.fat),
    fiber: k(food.fiber),
    protein: k(food.protein),
    sodium: k(food.sodium),
  };
}
