import { PartnerError, type PartnerHttp, type PartnerRequest } from '@healthsync/partner-kit';
import type { z } from 'zod';
import { describe } from '../schemas.js';

/** One Strava call whose answer is parsed with a tolerant schema (a mismatch is invalid data). */
export async function call<S extends z.ZodType>(
  http: PartnerHttp,
  req: PartnerRequest,
  schema: S,
): Promise<z.output<S>> {
  const res = await http.request(req);
  const parsed = schema.safeParse(res.body);
  if (!parsed.success)
    throw new PartnerError('invalid_data', `Strava ${req.method} ${req.path}: ${describe(parsed.error)}`);
  return parsed.data;
}

/** An activity id we stored, checked before it goes into a path. */
export function activityId(id: string): string {
  if (!/^\d+$/.test(id)) throw new PartnerError('invalid_data', 'not a Strava activity id');
  return id;
}
