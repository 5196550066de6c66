import { z } from 'zod';

// Tolerant schemas for what Withings sends (https://developer.withings.com/api-reference):
// unknown fields pass through, items are parsed one by one so one bad item never sinks a page.
const int = z.number().int();

/** A zod error in one line, for rejection reasons. */
export const describe = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
const digits = z.string().regex(/^\d+$/);

/** `userid` is an integer in the spec but comes back as a string at times. */
export const WithingsUserId = z.union([int.nonnegative(), digits]).transform(String);

/** Every answer is HTTP 200 with this envelope; `status` 0 is success. */
export const WithingsEnvelope = z.looseObject({
  status: int,
  body: z.unknown(),
  error: z.string().optional(),
});

export const WithingsMeasure = z.looseObject({ value: int, type: int, unit: int });
export const WithingsMeasureGroup = z.looseObject({
  grpid: int,
  attrib: int,
  date: int.positive(),
  modified: int.optional(),
  category: int,
  measures: z.array(WithingsMeasure),
});
export type WithingsMeasureGroup = z.infer<typeof WithingsMeasureGroup>;

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
    .looseObject({
      calories: z.number().nullish(),
      manual_calories: z.number().nullish(),
      distance: z.number().nullish(),
      manual_distance: z.number().nullish(),
    })
    .optional(),
});
export type WithingsWorkout = z.infer<typeof WithingsWorkout>;
export const WithingsWorkoutsBody = z.looseObject({ series: z.array(z.unknown()), ...page });

/** Just enough of an item to move the `lastupdate` cursor, even for items the mappers reject. */
export const WithingsModified = z.looseObject({ modified: int });

/** The `body` of a `v2/oauth2 requesttoken` answer. */
export const WithingsToken = z.looseObject({
  userid: WithingsUserId,
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().int().optional(),
  scope: z.string().optional(),
  token_type: z.string().default('Bearer'),
});

/** A notification (form POST): `userid=12345&appli=1&startdate=1530576000&enddate=1530698753`. */
export const WithingsNotification = z.looseObject({
  userid: digits,
  appli: digits.transform(Number),
  startdate: digits.optional(),
  enddate: digits.optional(),
  action: z.string().optional(),
});
