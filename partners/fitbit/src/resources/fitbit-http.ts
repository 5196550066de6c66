import { getJson, type PartnerHttp, type PartnerRequest, rawReader } from '@healthsync/partner-kit';
import { z } from 'zod';

/**
 * Units follow Accept-Language (en_US: lb and miles, en_GB: stone); without the header Fitbit reads
 * and writes metric. The kit's client sends `Accept: application/json` and never Accept-Language.
 */
export const READ = { partner: 'Fitbit' } as const;

/** A GET whose answer is read with the field readers (`rawAt`, `rawReader`). */
export const get = (http: PartnerHttp, path: string, query?: PartnerRequest['query']) =>
  getJson(http, path, z.unknown(), { ...READ, ...(query && { query }) });

/** Create answers: `{weightLog}`, `{fatLog}`, `{activityLog}`, `{foodLog, foodDay}`: the new log id. */
export const CREATED = ['weightLog.logId', 'fatLog.logId', 'activityLog.logId', 'foodLog.logId'];

/** The user's current UTC offset in minutes (Fitbit times carry none). */
export async function profileOffset(http: PartnerHttp): Promise<number> {
  const offset = rawReader(await get(http, '/1/user/-/profile.json')).num('user.offsetFromUTCMillis');
  return Math.round((offset ?? 0) / 60_000);
}
