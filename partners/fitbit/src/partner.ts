import {
  definePartner,
  hmacHeader,
  oauth2,
  verifyCode,
  webhookEvents,
} from '@healthsync/partner-kit/declaration';

/** `X-Fitbit-Signature` = base64(HMAC-SHA1(key = client secret + '&', raw body)); the fake and tests `sign`
 * bodies with it. */
export const fitbitSignature = hmacHeader({
  header: 'x-fitbit-signature',
  algorithm: 'sha1',
  encoding: 'base64',
  key: (ctx) => `${ctx.clientSecret}&`,
});

// Fitbit has no update endpoint for body, activity or food logs: update is declared false.
const logs = { poll: true, push: true, update: false, delete: true } as const;

export const declaration = definePartner({
  id: 'fitbit',
  displayName: 'Fitbit',
  // Every call reads or writes the signed-in user's (`-`) resources of Web API version 1.
  apiUrl: 'https://api.fitbit.com/1/user/-',
  docs: 'https://dev.fitbit.com/build/reference/web-api/',
  auth: oauth2({
    authorizeUrl: 'https://www.fitbit.com/oauth2/authorize',
    tokenUrl: 'https://api.fitbit.com/oauth2/token',
    revokeUrl: 'https://api.fitbit.com/oauth2/revoke',
    scopes: ['weight', 'activity', 'nutrition', 'profile'],
    pkce: true,
    clientAuth: 'basic',
    refresh: 'rotating',
    externalUserId: (t) => (typeof t.user_id === 'string' ? t.user_id : undefined),
  }),
  capabilities: { measurement: logs, exercise: logs, food: logs },
  // A weight log and a body fat log; no other body measurement can be logged.
  measurementTypes: ['weight', 'body_fat'],
  rateLimits: [{ scope: 'user', limit: 150, windowSeconds: 3600, alignment: 'fixed' }],
  /**
   * Signed JSON batches of `{collectionType, ownerId, ...}` (each entry must name both; the rest is
   * not read): Subscriptions API collections -> our data kinds.
   */
  webhook: webhookEvents({
    // Subscriber verification: GET ?verify=<code> -> 204 for the configured code, 404 otherwise.
    handshake: verifyCode('verify', { ok: 204, fail: 404 }),
    authentic: fitbitSignature.verify,
    user: 'ownerId',
    kinds: {
      from: 'collectionType',
      table: { body: ['measurement'], activities: ['exercise'], foods: ['food'] },
    },
    revoked: (n) => n.collectionType === 'userRevokedAccess',
    accepted: { status: 204 },
    rejected: { status: 404 },
  }),
});
