import { z } from 'zod';

// Tolerant schemas for what Withings sends (https://developer.withings.com/api-reference):
// unknown fields pass through, items are parsed one by one so one bad item never sinks a page.
const int = z.number().int();
const digits = z.string().regex(/^\d+$/);
const num = z.number().nullish();

/** `userid` is an integer in the spec but comes back as a string at times. */
export const WithingsUserId = z.union([int.nonnegative(), digits]).transform(String);

/** Every answer is HTTP 200 with this envelope; `status` 0 is success. */
export const WithingsEnvelope = z.looseObject({
  status: int,
  body: z.unknown(),
  error: z.string().optional(),
});

export const WithingsMeasureGroup = z.looseObject({
  grpid: int,
  attrib: int,
  date: int.positive(),
  modified: int.optional(),
  category: int,
  measures: z.array(z.looseObject({ value: int, type: int, unit: int })),
});

/** `more` is 0/1 in getmeas and a boolean in getworkouts. */
const page = { more: z.union([z.boolean(), int]).optional(), offset: int.optional() };
export const WithingsMeasureBody = z.looseObject({
  timezone: z.string().optional(),
  measuregrps: z.array(z.unknown()),
  ...page,
});

export const WithingsWorkout = z.looseObject({
  id: int,
  category: int,
  timezone: z.string().optional(),
  startdate: int.positive(),
  enddate: int,
  modified: int.optional(),
  data: z
    .looseObject({ calories: num, manual_calories: num, distance: num, manual_distance: num })
    .optional(),
});
export const WithingsWorkoutsBody = z.looseObject({ series: z.array(z.unknown()), ...page });

/** Just enough of an item to move the `lastupdate` cursor, even for items the mappers reject. */
export const WithingsModified = z.looseObject({ modified: int });

/** A notification (form POST): `userid=12345&appli=1&startdate=1530576000&enddate=1530698753`. */
export const WithingsNotification = z.looseObject({
  userid: digits,
  appli: digits.transform(Number),
  startdate: digits.optional(),
  enddate: digits.optional(),
  action: z.string().optional(),
});
