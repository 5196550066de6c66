import { errorList } from '@healthsync/partner-kit/declaration';
import { z } from 'zod';

// Tolerant schemas for what the Strava API v3 sends (https://developers.strava.com/docs/reference/)
// besides the items the field mappers read: error bodies and push events. Unknown fields are kept.
/**
 * A 4xx body lists errors: `{message, errors: [{resource, field, code}]}`; a spent refresh token
 * or used code: `errors[{resource: 'RefreshToken', code: 'invalid'}]`.
 */
export const STRAVA_ERRORS = errorList({
  fields: ['resource', 'field', 'code'],
  // The API answers a rejected request with 400 or 422 and this list.
  statuses: [400, 422],
});

/**
 * A push subscription event (https://developers.strava.com/docs/webhooks/): what is read of it
 * (the object type, the athlete, the subscription, an athlete's `updates`); `object_id`,
 * `aspect_type` and `event_time` are kept unread (a poll finds what changed).
 */
export const StravaEvent = z.looseObject({
  object_type: z.enum(['activity', 'athlete']),
  updates: z.record(z.string(), z.unknown()).optional(),
  owner_id: z.number().int().positive(),
  subscription_id: z.number().int().positive(),
});
