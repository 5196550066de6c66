import { z } from 'zod';

// Tolerant schemas of what Moves sends (https://dev.moves-app.com/docs/api): unknown fields pass,
// optional fields may be absent or null; the mappers decide what is usable.

const amount = z.number().finite().nullish();
const text = z.string().nullish();
/**
 * Moves user ids are JSON numbers, often above 2^53 (23138311640030064). We keep the decimal
 * string of the parsed number: the token response's `user_id` goes through the same JSON parse,
 * so both sides name the user identically.
 */
export const MovesUserId = z
  .union([z.number().nonnegative().refine(Number.isInteger, 'not an integer'), z.string().regex(/^\d+$/)])
  .transform(String);

/** `GET /user/profile`: the first day with data and the current offset (seconds). */
export const MovesProfile = z.looseObject({
  profile: z.looseObject({
    firstDate: z.string().regex(/^\d{8}$/),
    currentTimeZone: z.looseObject({ offset: z.number().int().nullish() }).nullish(),
  }),
});

/** One activity of a segment (API 1.1 names; v1 codes `wlk`/`run`/`cyc`/`trp`); seconds, metres, kcal. */
export const MovesActivity = z.looseObject({
  activity: text,
  group: text,
  startTime: text,
  endTime: text,
  duration: amount,
  distance: amount,
  calories: amount,
});

export const MovesSegment = z.looseObject({ activities: z.array(z.unknown()).nullish(), lastUpdate: text });

/** Days of `/user/activities/daily` or `/user/storyline/daily`; segments are read one by one. */
export const MovesStoryline = z.array(
  z.looseObject({ date: z.string(), segments: z.array(z.unknown()).nullish() }),
);

/** https://dev.moves-app.com/docs/api_notifications: `{userId, storylineUpdates: [{reason, startTime, endTime, ...}]}`. */
export const MovesNotification = z.looseObject({
  userId: MovesUserId,
  storylineUpdates: z.array(z.looseObject({ reason: text, startTime: text, endTime: text })),
});
