import { z } from 'zod';

// Tolerant schemas for what the Fitbit Web API sends (https://dev.fitbit.com/build/reference/web-api/)
// besides the items the field mappers read: error bodies and notifications. Unknown fields are kept.

/** A 400's `errors[]`; the messages are not read (Fitbit echoes tokens in some). */
export const FitbitErrorBody = z.looseObject({
  errors: z.array(z.looseObject({ errorType: z.string(), fieldName: z.string().optional() })),
});

/** A Subscriptions API notification: a JSON array of `{collectionType, ownerId, ...}` (only these are read). */
export const FitbitNotifications = z.array(
  z.looseObject({ collectionType: z.string(), ownerId: z.string().min(1) }),
);
