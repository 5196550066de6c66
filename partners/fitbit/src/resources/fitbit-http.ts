import { getJson, type ResourceContext, rawReader } from '@healthsync/partner-kit';
import { z } from 'zod';

/**
 * Units follow Accept-Language (en_US: lb and miles, en_GB: stone); without the header Fitbit reads
 * and writes metric. The kit's client sends `Accept: application/json` and never Accept-Language.
 */
export const READ = { partner: 'Fitbit' } as const;

/** Create answers: `{weightLog}`, `{fatLog}`, `{activityLog}`, `{foodLog, foodDay}`: the new log id. */
export const CREATED = ['weightLog.logId', 'fatLog.logId', 'activityLog.logId', 'foodLog.logId'];

/** The user's current UTC offset in minutes (Fitbit times carry none). */
export async function profileOffset({ http }: ResourceContext): Promise<number> {
  const profile = await getJson(http, '/1/user/-/profile.json', z.unknown(), READ);
  return Math.round((rawReader(profile).num('user.offsetFromUTCMillis') ?? 0) / 60_000);
}
