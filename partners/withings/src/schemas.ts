import { z } from 'zod';

// Tolerant schemas for what Withings sends (https://developer.withings.com/api-reference) besides
// the items the field mappers read: the envelope, user ids, notifications. Unknown fields pass through.
const int = z.number().int();
const digits = z.string().regex(/^\d+$/);

/** `userid` is an integer in the spec but comes back as a string at times. */
export const WithingsUserId = z.union([int.nonnegative(), digits]).transform(String);

/** Every answer is HTTP 200 with this envelope; `status` 0 is success. */
export const WithingsEnvelope = z.looseObject({
  status: int,
  body: z.unknown(),
  error: z.string().optional(),
});

/** A notification (form POST): `userid=12345&appli=1&startdate=1530576000&enddate=1530698753`. */
export const WithingsNotification = z.looseObject({
  userid: digits,
  appli: digits.transform(Number),
  startdate: digits.optional(),
  enddate: digits.optional(),
  action: z.string().optional(),
});
