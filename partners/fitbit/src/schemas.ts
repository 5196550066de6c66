import { errorList } from '@healthsync/partner-kit/declaration';

// Tolerant schemas for what the Fitbit Web API sends (https://dev.fitbit.com/build/reference/web-api/)
// besides the items the field mappers read: error bodies (notifications are read by the webhook's
// declaration, `partner.ts`). Unknown fields are kept.

/** A 400's `errors[]`: only the error type and field are read (Fitbit echoes tokens in some messages). */
export const FITBIT_ERRORS = errorList({ fields: ['errorType', 'fieldName'] });
