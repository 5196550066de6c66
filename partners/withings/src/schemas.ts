import { z } from 'zod';

// Tolerant schemas for what Withings sends (https://developer.withings.com/api-reference) besides
// the items the field mappers read and the `status` envelope the kit reads: user ids and
// notifications. Unknown fields pass through.
const int = z.number().int();
const digits = z.string().regex(/^\d+$/);

/** `userid` is an integer in the spec but comes back as a string at times. */
export const WithingsUserId = z.union([int.nonnegative(), digits]).transform(String);

/** A notification (form POST): `userid=12345&appli=1&startdate=1530576000&enddate=1530698753`. */
export const WithingsNotification = z.looseObject({
  userid: digits,
  appli: digits.transform(Number),
  startdate: digits.optional(),
  enddate: digits.optional(),
  action: z.string().optional(),
});
