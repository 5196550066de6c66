import { z } from 'zod';

// Tolerant schemas for what the Strava API v3 sends (https://developers.strava.com/docs/reference/).
// Unknown fields are kept; only what the mappers read is required.
const Id = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(String);
const Num = z.number().finite();

/** SummaryActivity / DetailedActivity. `start_date` is UTC; `start_date_local` is local time written with a `Z`. */
export const StravaActivity = z.looseObject({
  id: Id,
  name: z.string().min(1),
  sport_type: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  start_date: z.iso.datetime({ offset: true }),
  utc_offset: Num,
  elapsed_time: Num,
  distance: Num.optional(),
  calories: Num.optional(),
});
export const StravaActivityList = z.array(z.looseObject({ id: Id }));

/** DetailedAthlete: `weight` in kg (null when unset), `updated_at` the last profile change. */
export const StravaAthlete = z.looseObject({
  id: Id,
  weight: Num.nullable().optional(),
  updated_at: z.iso.datetime({ offset: true }),
});

export const StravaErrorBody = z.looseObject({
  message: z.string().optional(),
  errors: z
    .array(
      z.looseObject({
        resource: z.string().optional(),
        field: z.string().optional(),
        code: z.string().optional(),
      }),
    )
    .optional(),
});

/** A push subscription event (https://developers.strava.com/docs/webhooks/). */
export const StravaEvent = z.looseObject({
  object_type: z.enum(['activity', 'athlete']),
  object_id: z.number().int().positive(),
  aspect_type: z.enum(['create', 'update', 'delete']),
  updates: z.record(z.string(), z.unknown()).optional(),
  owner_id: z.number().int().positive(),
  subscription_id: z.number().int().positive(),
  event_time: z.number().int().positive(),
});
