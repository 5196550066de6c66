import { statusEnvelope } from '@healthsync/partner-kit/declaration';
import { z } from 'zod';

// What Withings sends (https://developer.withings.com/api-reference) besides the items the field
// mappers read: the `status` envelope of every answer and notifications. Unknown fields pass through.
const digits = z.string().regex(/^\d+$/);

/** A notification (form POST): `userid=12345&appli=1&startdate=1530576000&enddate=1530698753`. */
export const WithingsNotification = z.looseObject({
  userid: digits,
  appli: digits.transform(Number),
  startdate: digits.optional(),
  enddate: digits.optional(),
  action: z.string().optional(),
});

/**
 * Every answer, the token endpoint's included, is HTTP 200 `{status, body, error}` with a status
 * code in the body; Withings publishes only its families
 * (https://developer.withings.com/api-reference/#section/Response-status). Authentication failed:
 * 100-102, 200, 401; unauthorized: 214, 277, 2553; legacy OAuth 1.0a era: 247 invalid userid, 249
 * invalid OAuth credentials, 250 user does not share, 342 bad signature. 601: over the rate limit.
 * 522 timeout, 524 bad state, the "an error occurred" family and any status not listed here are worth
 * a retry (transient: `statusEnvelope`'s default).
 */
export const WITHINGS_STATUS = statusEnvelope({
  paths: { status: 'status', body: 'body', error: 'error' },
  success: 0,
  families: {
    auth_revoked: '100-102,200,401,214,277,2553,247,249,250,342',
    rate_limited: '601',
    invalid_data:
      '201-213,216-218,220-221,223,225,227-230,234-236,238,240-252,254,260-267,271-272,275-276,283-288,290,' +
      '293-295,297,300-304,321,323-353,380-382,400,501-511,523,532,2554,3017-3019',
  },
  // 601: over 120 requests a minute, counted per application over a rolling minute: try again in a minute.
  retryAfterSeconds: 60,
});
