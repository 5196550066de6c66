import { definePartner, hubChallenge, oauth2, webhookEvents } from '@healthsync/partner-kit/declaration';
import { STRAVA_ERRORS, StravaEvent } from './schemas.js';

export const declaration = definePartner({
  id: 'strava',
  displayName: 'Strava',
  apiUrl: 'https://www.strava.com/api/v3',
  docs: 'https://developers.strava.com/docs/reference/',
  auth: oauth2({
    authorizeUrl: 'https://www.strava.com/oauth/authorize',
    tokenUrl: 'https://www.strava.com/oauth/token',
    revokeUrl: 'https://www.strava.com/oauth/deauthorize',
    revokeTokenParam: 'access_token',
    scopes: ['read', 'activity:read_all', 'activity:write', 'profile:read_all', 'profile:write'],
    scopeSeparator: ',',
    // "Once a new refresh token code has been returned, the older code will no longer work."
    refresh: 'rotating',
    authorizeParams: { approval_prompt: 'auto' },
    // A spent refresh token or a used code is `invalid_grant`.
    adaptErrorResponse: STRAVA_ERRORS.tokenErrors({
      invalid_grant: { code: 'invalid', resource: ['RefreshToken', 'AuthorizationCode'] },
    }),
    // The token response names the athlete: `{athlete: {id, ...}, access_token, ...}`.
    externalUserId: 'athlete.id',
  }),
  capabilities: {
    // Activities can be created and renamed / re-typed, not deleted, through the public API.
    exercise: { poll: true, push: true, update: true, delete: false },
    // One current weight in the athlete profile: read and replace it.
    measurement: { poll: true, push: true, update: false, delete: false },
  },
  measurementTypes: ['weight'],
  // Per application. The read (non-upload) limits are the tighter ones and bound every call here;
  // the overall limits are 200 / 15 min and 2,000 / day. Windows reset at :00/:15/:30/:45 and midnight UTC.
  rateLimits: [
    { scope: 'app', limit: 100, windowSeconds: 900, alignment: 'fixed' },
    { scope: 'app', limit: 1000, windowSeconds: 86_400, alignment: 'fixed' },
  ],
  /**
   * Events carry no signature. Authenticity rests on the secret callback URL, the handshake at
   * subscription time, and the app's single subscription id: when the context names it
   * (`subscriptionId`, from PARTNER_STRAVA_WEBHOOK_SUBSCRIPTION_ID), an event for any other
   * subscription is rejected. An activity event makes exercise due; an athlete event with
   * `authorized: 'false'` is a revocation. Accepted: 200; rejected: 403.
   */
  webhook: webhookEvents({
    // GET ?hub.mode=subscribe&hub.challenge=X&hub.verify_token=T -> 200 {"hub.challenge": X}, else 403.
    handshake: hubChallenge('json'),
    json: StravaEvent,
    subscription: 'subscription_id',
    user: 'owner_id',
    kinds: { from: 'object_type', table: { activity: ['exercise'] } },
    revoked: (e) => e.object_type === 'athlete' && String(e.updates?.authorized) === 'false',
    rejected: { status: 403 },
  }),
});
