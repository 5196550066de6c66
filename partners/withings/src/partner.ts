import { can, definePartner, oauth1, oauth2, webhookEvents } from '@healthsync/partner-kit/declaration';
import { WITHINGS_STATUS, WithingsNotification } from './schemas.js';

export const declaration = definePartner({
  id: 'withings',
  displayName: 'Withings',
  apiUrl: 'https://wbsapi.withings.net',
  docs: 'https://developer.withings.com/api-reference',
  /** Every answer is HTTP 200 `{status, body, error}`: the token endpoint's (`{status: 0, body: {userid,
   * access_token, ...}}`, failures read as RFC 6749 errors) and the API's (0 = ok; 601 waits a minute). */
  envelope: WITHINGS_STATUS,
  // Named by their kinds (`oauth2`, `oauth1`); new connections use the first.
  auth: [
    oauth2({
      authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
      tokenUrl: 'https://wbsapi.withings.net/v2/oauth2',
      scopes: ['user.info', 'user.metrics', 'user.activity'],
      scopeSeparator: ',',
      refresh: 'rotating',
      tokenParams: { action: 'requesttoken' },
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
