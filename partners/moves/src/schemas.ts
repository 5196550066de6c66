import { z } from 'zod';

// Tolerant schemas of what Moves sends (https://dev.moves-app.com/docs/api): unknown fields pass,
// optional fields may be absent or null; the mappers decide what is usable.

const amount = z.number().finite().nullish();
/**
 * Moves user ids are JSON numbers, often above 2^53 (23138311640030064). We keep the decimal
 * string of the parsed number: the token response's `user_id` goes through the same JSON parse,
 * so both sides name the user identically.
 */
export const MovesUserId = z
  .union([
    z.number().nonnegative().refine(Number.isInteger, 'expected an integer'),
    z.string().regex(/^\d+$/),
  ])
  .transform(String);

/** `GET /user/profile` */
export const MovesProfile = z.looseObject({
  userId: MovesUserId,
  profile: z.looseObject({
    firstDate: z.string().regex(/^\d{8}$/),
    currentTimeZone: z
      .looseObject({ id: z.string().nullish(), offset: z.number().int().nullish() })
      .nullish(),
  }),
});

/** One activity of a segment (API 1.1 names; v1 codes `wlk`/`run`/`cyc`/`trp`). */
export const MovesActivity = z.looseObject({
  activity: z.string().nullish(),
  group: z.string().nullish(),
  manual: z.boolean().nullish(),
  startTime: z.string().nullish(),
  endTime: z.string().nullish(),
  duration: amount,
  distance: amount,
  steps: amount,
  calories: amount,
});

export const MovesSegment = z.looseObject({
  type: z.string().nullish(),
  startTime: z.string().nullish(),
  endTime: z.string().nullish(),
  activities: z.array(z.unknown()).nullish(),
  lastUpdate: z.string().nullish(),
});

/** Days of `/user/activities/daily` or `/user/storyline/daily`; segments are read one by one. */
export const MovesStoryline = z.array(
  z.looseObject({
    date: z.string(),
    segments: z.array(z.unknown()).nullish(),
    lastUpdate: z.string().nullish(),
  }),
);

/** https://dev.moves-app.com/docs/api_notifications: the body of a storyline notification. */
export const MovesNotification = z.looseObject({
  userId: MovesUserId,
  storylineUpdates: z.array(
    z.looseObject({
      reason: z.string().nullish(),
      startTime: z.string().nullish(),
      endTime: z.string().nullish(),
      lastSegmentType: z.string().nullish(),
      lastSegmentStartTime: z.string().nullish(),
    }),
  ),
});
