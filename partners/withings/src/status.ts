import type { PartnerErrorCode } from '@healthsync/partner-kit';

// Withings answers HTTP 200 and puts a status code in the body; it publishes only families
// (https://developer.withings.com/api-reference/#section/Response-status).
const ranges = (spec: string): ((n: number) => boolean) => {
  const parts = spec.split(',').map((r) => r.split('-').map(Number));
  return (n) => parts.some(([lo = Number.NaN, hi = lo]) => n >= lo && n <= hi);
};

/** 100-102, 200, 401: authentication failed; 214, 277, 2553: unauthorized. Legacy OAuth 1.0a era:
 * 247 invalid userid, 249 invalid OAuth credentials, 250 user does not share, 342 bad signature. */
const authFailed = ranges('100-102,200,401,214,277,2553,247,249,250,342');
const invalidParams = ranges(
  '201-213,216-218,220-221,223,225,227-230,234-236,238,240-252,254,260-267,271-272,275-276,283-288,290,' +
    '293-295,297,300-304,321,323-353,380-382,400,501-511,523,532,2554,3017-3019',
);

/** The error family of a body status; null for 0 (success). 522 timeout, 524 bad state and the
 * "an error occurred" family are worth a retry. */
export function classifyStatus(status: number): PartnerErrorCode | null {
  if (status === 0) return null;
  if (authFailed(status)) return 'auth_revoked';
  if (status === 601) return 'rate_limited';
  if (invalidParams(status)) return 'invalid_data';
  return 'transient';
}
