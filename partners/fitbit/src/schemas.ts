import { RawId } from '@healthsync/partner-kit/declaration';
import { z } from 'zod';

// Tolerant schemas for what the Fitbit Web API sends (https://dev.fitbit.com/build/reference/web-api/).
// Unknown fields are kept; only what the mappers read is required. Lists hold `unknown` items so one
// bad item is rejected with a reason instead of failing the page.
export const FitbitDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected yyyy-MM-dd');
const Clock = z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'expected HH:mm[:ss]');
const Num = z.number().finite();

/** A weight log (`weight`, in the Accept-Language unit) or a body fat log (`fat`, percent). */
export const FitbitBodyLog = z.looseObject({
  logId: RawId,
  date: FitbitDay,
  time: Clock.optional(),
  weight: Num.optional(),
  fat: Num.optional(),
});
export const FitbitBodyLogs = z.looseObject({
  weight: z.array(z.unknown()).optional(),
  fat: z.array(z.unknown()).optional(),
});

export const FitbitActivityLog = z.looseObject({
  logId: RawId,
  activityName: z.string().min(1),
  startTime: z.iso.datetime({ offset: true, local: false }),
  duration: Num,
  calories: Num.optional(),
  distance: Num.optional(),
  distanceUnit: z.string().optional(),
  lastModified: z.string().optional(),
});
export const FitbitActivityList = z.looseObject({
  activities: z.array(z.unknown()),
  pagination: z.looseObject({ next: z.string() }),
});

export const FitbitFoodLog = z.looseObject({
  logId: RawId,
  logDate: FitbitDay,
  loggedFood: z.looseObject({
    name: z.string().min(1),
    mealTypeId: z.number().int(),
    calories: Num.optional(),
  }),
  nutritionalValues: z
    .looseObject({
      calories: Num.optional(),
      carbs: Num.optional(),
      fat: Num.optional(),
      protein: Num.optional(),
    })
    .optional(),
});
export const FitbitFoodLogs = z.looseObject({ foods: z.array(z.unknown()) });

export const FitbitProfile = z.looseObject({
  user: z.looseObject({ offsetFromUTCMillis: z.number().int() }),
});

/** Create responses: `{weightLog}`, `{fatLog}`, `{activityLog}`, `{foodLog, foodDay}`. */
const Created = z.looseObject({ logId: RawId });
export const FitbitCreated = z.union([
  z.looseObject({ weightLog: Created }).transform((b) => b.weightLog.logId),
  z.looseObject({ fatLog: Created }).transform((b) => b.fatLog.logId),
  z.looseObject({ activityLog: Created }).transform((b) => b.activityLog.logId),
  z.looseObject({ foodLog: Created }).transform((b) => b.foodLog.logId),
]);

/** A 400's `errors[]`; the messages are not read (Fitbit echoes tokens in some). */
export const FitbitErrorBody = z.looseObject({
  errors: z.array(z.looseObject({ errorType: z.string(), fieldName: z.string().optional() })),
});

/** A Subscriptions API notification: a JSON array of `{collectionType, ownerId, ...}` (only these are read). */
export const FitbitNotifications = z.array(
  z.looseObject({ collectionType: z.string(), ownerId: z.string().min(1) }),
);
