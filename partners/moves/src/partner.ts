import { can, definePartner, hmacHeader, oauth2, webhookEvents } from '@healthsync/partner-kit/declaration';
import { MovesNotification } from './schemas.js';

/**
 * https://dev.moves-app.com/docs/api_notifications: `X-Moves-Signature` is base64 HMAC-SHA1 keyed
 * with the client secret over the request body, `X-Moves-Timestamp` and `X-Moves-Nonce`
 * concatenated (the docs' `|` is notation, not a character).
 */
export const movesSignature = hmacHeader({
  header: 'x-moves-signature',
  algorithm: 'sha1',
  encoding: 'base64',
  alsoSigned: ['x-moves-timestamp', 'x-moves-nonce'],
});

/** Moves (API 1.1, archived: the service shut down on 31 Jul 2018): https://dev.moves-app.com/docs/api */
export const declaration = definePartner({
  id: 'moves',
  displayName: 'Moves',
  apiUrl: 'https://api.moves-app.com/api/1.1',
  docs: 'https://dev.moves-app.com/docs/api',
  // https://dev.moves-app.com/docs/authentication: access tokens last about 6 months; refresh rotates.
  auth: oauth2({
    authorizeUrl: 'https://api.moves-app.com/oauth/v1/authorize',
    tokenUrl: 'https://api.moves-app.com/oauth/v1/access_token',
    scopes: ['activity', 'location'],
    refresh: 'rotating',
  }),
  // No upload API ("no short-term plans to support posting data").
  capabilities: { exercise: can('poll') },
  // Per app, reset at the top of each minute and hour.
  rateLimits: [
    { scope: 'app', limit: 60, windowSeconds: 60, alignment: 'fixed' },
    { scope: 'app', limit: 2000, windowSeconds: 3600, alignment: 'fixed' },
  ],
  /** One signed body per user; its storyline updates (possibly batched) make an exercise poll due. */
  webhook: webhookEvents({
    json: MovesNotification,
    authentic: movesSignature.verify,
    user: 'userId',
    kinds: (n) => (n.storylineUpdates.length > 0 ? ['exercise'] : []),
    // Moves wants 200 within 3 s and never retries; a forged, tampered or unreadable request gets 401.
    rejected: { status: 401, body: 'invalid notification', contentType: 'text/plain' },
  }),
});
