import { numericId, type PartnerHttp, type PartnerRequest, requestJson } from '@healthsync/partner-kit';
import type { z } from 'zod';

/** One Strava call whose answer is parsed with a tolerant schema (a mismatch is invalid data). */
export const call = <S extends z.ZodType>(http: PartnerHttp, req: PartnerRequest, schema: S) =>
  requestJson(http, req, schema, { partner: 'Strava' });

/** An activity id we stored, checked before it goes into a path. */
export const activityId = (id: string) => numericId(id, 'Strava activity id');
