import { RawId, rawNumber, rawText } from '@healthsync/partner-kit/declaration';
import { z } from 'zod';

// Tolerant schemas of what Moves sends (https://dev.moves-app.com/docs/api): unknown fields pass,
// optional fields may be absent or null; the mappers decide what is usable.

/** `GET /user/profile`: the first day with data and the current offset (seconds). */
export const MovesProfile = z.looseObject({
  profile: z.looseObject({
    firstDate: z.string().regex(/^\d{8}$/),
    currentTimeZone: z.looseObject({ offset: z.number().int().nullish() }).nullish(),
  }),
});

/**
 * One activity of a segment (API 1.1 names; v1 codes `wlk`/`run`/`cyc`/`trp`); seconds, metres,
 * kcal; `lastUpdate` is its segment's, added when the segments are read.
 */
export const MovesActivity = z.looseObject({
  activity: rawText,
  group: rawText,
  startTime: rawText,
  endTime: rawText,
  duration: rawNumber,
  distance: rawNumber,
  calories: rawNumber,
  lastUpdate: rawText,
});

export const MovesSegment = z.looseObject({
  activities: z.array(z.unknown()).nullish(),
  lastUpdate: rawText,
});

/** Days of `/user/activities/daily` or `/user/storyline/daily`; segments are read one by one. */
export const MovesStoryline = z.array(
  z.looseObject({ date: z.string(), segments: z.array(z.unknown()).nullish() }),
);

/**
 * https://dev.moves-app.com/docs/api_notifications: `{userId, storylineUpdates: [...]}`. User ids
 * are JSON numbers, often above 2^53 (23138311640030064): the token response's `user_id` goes
 * through the same JSON parse, so both sides name the user identically.
 */
export const MovesNotification = z.looseObject({
  userId: RawId,
  storylineUpdates: z.array(z.looseObject({ reason: rawText, startTime: rawText, endTime: rawText })),
});
