import { can, definePartner, oauth1, oauth2, statusEnvelope, webhookEvents } from '@healthsync/partner-kit';
import { WithingsNotification } from './schemas.js';

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
  partner: 'Withings',
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

export const declaration = definePartner({
  id: 'withings',
  displayName: 'Withings',
  apiUrl: 'https://wbsapi.withings.net',
  docs: 'https://developer.withings.com/api-reference',
  // Named by their kinds (`oauth2`, `oauth1`); new connections use the first.
  auth: [
    oauth2({
      authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
      tokenUrl: 'https://wbsapi.withings.net/v2/oauth2',
      scopes: ['user.info', 'user.metrics', 'user.activity'],
      scopeSeparator: ',',
      refresh: 'rotating',
      tokenParams: { action: 'requesttoken' },
      /** `{status: 0, body: {userid, access_token, ...}}`; failures become RFC 6749 errors for the kit. */
      adaptTokenResponse: WITHINGS_STATUS.tokens,
      // `userid` is an integer in the spec but comes back as a string at times.
      externalUserId: 'userid',
    }),
    /** OAuth 1.0a, closed by Withings on 2018-11-30; kept for connections made before the switch. */
    oauth1({
      requestTokenUrl: 'https://oauth.withings.com/account/request_token',
      authorizeUrl: 'https://oauth.withings.com/account/authorize',
      accessTokenUrl: 'https://oauth.withings.com/account/access_token',
      signaturePlacement: 'query',
      externalUserId: (response) => response.userid,
    }),
  ],
  capabilities: { measurement: can('poll'), exercise: can('poll') },
  rateLimits: [{ scope: 'app', limit: 120, windowSeconds: 60 }],
  /**
   * Unsigned (authenticity is Withings' IP ranges): accept only a well-formed notification, a form
   * POST (legacy ones carried the fields in the query), with 200 (else 400). appli 1: weight and body
   * composition; 16: activity (workouts); 46 + unlink/delete: access revoked.
   */
  webhook: webhookEvents({
    /** Withings sends HEAD to the callback URL before it registers a subscription. */
    handshake: (req) => (req.method === 'HEAD' ? { status: 200 } : null),
    form: WithingsNotification,
    user: 'userid',
    kinds: { from: 'appli', table: { 1: ['measurement'], 16: ['exercise'] } },
    revoked: (n) => n.appli === 46 && (n.action === 'unlink' || n.action === 'delete'),
  }),
});
