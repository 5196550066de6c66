import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookSpec } from '@healthsync/partner-kit';
import { MovesNotification } from './schemas.js';

/**
 * https://dev.moves-app.com/docs/api_notifications: `X-Moves-Signature` is base64 HMAC-SHA1 keyed
 * with the client secret over the request body, `X-Moves-Timestamp` and `X-Moves-Nonce`
 * concatenated (the docs' `|` is notation, not a character).
 */
export function movesSignature(secret: string, body: Buffer, timestamp: string, nonce: string): string {
  return createHmac('sha1', secret).update(body).update(timestamp).update(nonce).digest('base64');
}

export const movesWebhook: WebhookSpec = {
  verify: (req, ctx) => {
    const {
      'x-moves-signature': signature,
      'x-moves-timestamp': timestamp,
      'x-moves-nonce': nonce,
    } = req.headers;
    if (req.method !== 'POST' || !signature || !timestamp || !nonce) return false;
    const expected = Buffer.from(movesSignature(ctx.clientSecret, req.rawBody, timestamp, nonce));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  },
  /** One body per user; its storyline updates (possibly batched) make an exercise poll due. */
  parse: (req) => {
    const body = MovesNotification.parse(JSON.parse(req.rawBody.toString('utf8')));
    return body.storylineUpdates.length > 0 ? [{ externalUserId: body.userId, kinds: ['exercise'] }] : [];
  },
  // Moves wants 200 within 3 s and never retries; a forged or tampered request gets 401.
  accepted: { status: 200 },
  rejected: { status: 401, body: 'invalid signature', contentType: 'text/plain' },
};
