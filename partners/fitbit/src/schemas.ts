import { errorList } from '@healthsync/partner-kit/declaration';
import { z } from 'zod';

// Tolerant schemas for what the Fitbit Web API sends (https://dev.fitbit.com/build/reference/web-api/)
// besides the items the field mappers read: error bodies and notifications. Unknown fields are kept.

/** A 400's `errors[]`: only the error type and field are read (Fitbit echoes tokens in some messages). */
export const FITBIT_ERRORS = errorList({
  partner: 'Fitbit',
  fields: ['errorType', 'fieldName'],
  describe: (e) => `${e.errorType ?? 'error'}${e.fieldName ? ` (${e.fieldName})` : ''}`,
});

/** A Subscriptions API notification: a JSON array of `{collectionType, ownerId, ...}` (only these are read). */
export const FitbitNotifications = z.array(
  z.looseObject({ collectionType: z.string(), ownerId: z.string().min(1) }),
);
