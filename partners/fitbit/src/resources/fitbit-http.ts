import { PartnerError, type PartnerHttp, type PartnerRequest } from '@healthsync/partner-kit';
import type { z } from 'zod';
import { describe, FitbitCreated, FitbitProfile } from '../schemas.js';

/**
 * Units follow Accept-Language (en_US: lb and miles, en_GB: stone); without the header Fitbit reads
 * and writes metric. Every call therefore sends exactly these headers and never Accept-Language.
 */
export const METRIC_HEADERS: Readonly<Record<string, string>> = { Accept: 'application/json' };

async function call<S extends z.ZodType>(
  http: PartnerHttp,
  req: PartnerRequest,
  schema: S,
): Promise<z.output<S>> {
  const res = await http.request({ ...req, headers: METRIC_HEADERS });
  const parsed = schema.safeParse(res.body);
  if (!parsed.success)
    throw new PartnerError('invalid_data', `Fitbit ${req.method} ${req.path}: ${describe(parsed.error)}`);
  return parsed.data;
}

export const get = <S extends z.ZodType>(
  http: PartnerHttp,
  path: string,
  schema: S,
  query?: PartnerRequest['query'],
) => call(http, { method: 'GET', path, ...(query ? { query } : {}) }, schema);

/** POST a create: Fitbit takes the parameters in the query string and answers with the new log id. */
export const create = (http: PartnerHttp, path: string, query: Readonly<Record<string, string>>) =>
  call(http, { method: 'POST', path, query }, FitbitCreated);

/** DELETE a log; one that is already gone counts as deleted. */
export async function remove(http: PartnerHttp, path: string): Promise<void> {
  try {
    await http.request({ method: 'DELETE', path, headers: METRIC_HEADERS });
  } catch (e) {
    if (!(e instanceof PartnerError && e.code === 'not_found')) throw e;
  }
}

/** The user's current UTC offset in minutes (Fitbit times carry none). */
export async function profileOffset(http: PartnerHttp): Promise<number> {
  const p = await get(http, '/1/user/-/profile.json', FitbitProfile);
  return Math.round(p.user.offsetFromUTCMillis / 60_000);
}

/** A yyyy-MM-dd day `days` after (or before) another. */
export const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** An id the partner gave us, checked before it goes into a path. */
export function logId(id: string | undefined): string {
  if (!id || !/^\d+$/.test(id)) throw new PartnerError('invalid_data', 'not a Fitbit log id');
  return id;
}
