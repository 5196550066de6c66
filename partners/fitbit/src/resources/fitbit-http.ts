import {
  deleteIfPresent,
  numericId,
  type PartnerHttp,
  type PartnerRequest,
  requestJson,
} from '@healthsync/partner-kit';
import type { z } from 'zod';
import { FitbitCreated, FitbitProfile } from '../schemas.js';

/**
 * Units follow Accept-Language (en_US: lb and miles, en_GB: stone); without the header Fitbit reads
 * and writes metric. Every call therefore sends exactly these headers and never Accept-Language.
 */
export const METRIC_HEADERS: Readonly<Record<string, string>> = { Accept: 'application/json' };

const call = <S extends z.ZodType>(http: PartnerHttp, req: PartnerRequest, schema: S) =>
  requestJson(http, { ...req, headers: METRIC_HEADERS }, schema, { partner: 'Fitbit' });

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
export const remove = (http: PartnerHttp, path: string) =>
  deleteIfPresent(http, { path, headers: METRIC_HEADERS });

/** The user's current UTC offset in minutes (Fitbit times carry none). */
export async function profileOffset(http: PartnerHttp): Promise<number> {
  const p = await get(http, '/1/user/-/profile.json', FitbitProfile);
  return Math.round(p.user.offsetFromUTCMillis / 60_000);
}

/** An id the partner gave us, checked before it goes into a path. */
export const logId = (id: string | undefined) => numericId(id, 'Fitbit log id');
