import { z } from 'zod';

// Tolerant schemas for what Withings sends (https://developer.withings.com/api-reference) besides
// the items the field mappers read and the `status` envelope the kit reads: notifications. Unknown fields pass through.
const digits = z.string().regex(/^\d+$/);

/** A notification (form POST): `userid=12345&appli=1&startdate=1530576000&enddate=1530698753`. */
export const WithingsNotification = z.looseObject({
  userid: digits,
  appli: digits.transform(Number),
  startdate: digits.optional(),
  enddate: digits.optional(),
  action: z.string().optional(),
});
