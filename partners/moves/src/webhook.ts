import {
  type HmacSignatureSpec,
  hmacSignature,
  verifyHmacHeader,
  type WebhookSpec,
} from '@healthsync/partner-kit';
import { MovesNotification } from './schemas.js';

/**
 * https://dev.moves-app.com/docs/api_notifications: `X-Moves-Signature` is base64 HMAC-SHA1 keyed
 * with the client secret over the request body, `X-Moves-Timestamp` and `X-Moves-Nonce`
 * concatenated (the docs' `|` is notation, not a character).
 */
const SIGNATURE: HmacSignatureSpec = {
  header: 'x-moves-signature',
  algorithm: 'sha1',
  encoding: 'base64',
  alsoSigned: ['x-moves-timestamp', 'x-moves-nonce'],
};
export const movesSignature = (secret: string, body: Buffer, timestamp: string, nonce: string): string =>
  hmacSignature(SIGNATURE, secret, body, [timestamp, nonce]);

export const movesWebhook: WebhookSpec = {
  verify: verifyHmacHeader(SIGNATURE),
  /** One body per user; its storyline updates (possibly batched) make an exercise poll due. */
  parse: (req) => {
    const body = MovesNotification.parse(JSON.parse(req.rawBody.toString('utf8')));
    return body.storylineUpdates.length > 0 ? [{ externalUserId: body.userId, kinds: ['exercise'] }] : [];
  },
  // Moves wants 200 within 3 s and never retries; a forged or tampered request gets 401.
  accepted: { status: 200 },
  rejected: { status: 401, body: 'invalid signature', contentType: 'text/plain' },
};
