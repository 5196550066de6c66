import {
  deleteIfPresent,
  getJson,
  numericId,
  type PartnerHttp,
  type PartnerRequest,
  requestJson,
} from '@healthsync/partner-kit';
import type { z } from 'zod';
import { FitbitCreated, FitbitProfile } from '../schemas.js';

/**
 * Units follow Accept-Language (en_US: lb and miles, en_GB: stone); without the header Fitbit reads
 * and writes metric. The kit's client sends `Accept: application/json` and never Accept-Language.
 */
const READ = { partner: 'Fitbit' } as const;

export const get = <S extends z.ZodType>(
  http: PartnerHttp,
  path: string,
  schema: S,
  query?: PartnerRequest['query'],
) => getJson(http, path, schema, { ...READ, ...(query && { query }) });

/** POST a create: Fitbit takes the parameters in the query string and answers with the new log id. */
export const create = (http: PartnerHttp, path: string, query: Readonly<Record<string, string>>) =>
  requestJson(http, { method: 'POST', path, query }, FitbitCreated, READ);

/** DELETE a log; one that is already gone counts as deleted. */
export const remove = (http: PartnerHttp, path: string) => deleteIfPresent(http, { path });

/** The user's current UTC offset in minutes (Fitbit times carry none). */
export async function profileOffset(http: PartnerHttp): Promise<number> {
  const p = await get(http, '/1/user/-/profile.json', FitbitProfile);
  return Math.round(p.user.offsetFromUTCMillis / 60_000);
}

/** An id the partner gave us, checked before it goes into a path. */
export const logId = (id: string | undefined) => numericId(id, 'Fitbit log id');
