import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataKind } from '@healthsync/contracts';
import { definePartner, type WebhookNotification } from '@healthsync/partner-kit/declaration';
import { FitbitNotifications } from './schemas.js';

/** Subscriptions API collections -> our data kinds (`userRevokedAccess` means revoked). */
const COLLECTIONS: Readonly<Record<string, DataKind>> = {
  body: 'measurement',
  activities: 'exercise',
  foods: 'food',
};

/** `X-Fitbit-Signature` = base64(HMAC-SHA1(key = client secret + '&', raw body)). */
export function fitbitSignature(clientSecret: string, rawBody: Buffer): string {
  return createHmac('sha1', `${clientSecret}&`).update(rawBody).digest('base64');
}

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
// Fitbit has no update endpoint for body, activity or food logs: update is declared false.
const logs = { poll: true, push: true, update: false, delete: true } as const;

export const declaration = definePartner({
  id: 'fitbit',
  displayName: 'Fitbit',
  apiUrl: 'https://api.fitbit.com',
  docs: 'https://dev.fitbit.com/build/reference/web-api/',
  auth: {
    current: 'oauth2',
    generations: {
      oauth2: {
        kind: 'oauth2',
        authorizeUrl: 'https://www.fitbit.com/oauth2/authorize',
        tokenUrl: 'https://api.fitbit.com/oauth2/token',
        revokeUrl: 'https://api.fitbit.com/oauth2/revoke',
        scopes: ['weight', 'activity', 'nutrition', 'profile'],
        scopeSeparator: ' ',
        pkce: true,
        clientAuth: 'basic',
        refresh: 'rotating',
        externalUserId: (t) => (typeof t.user_id === 'string' ? t.user_id : undefined),
      },
    },
  },
  capabilities: { measurement: logs, exercise: logs, food: logs },
  rateLimits: [{ scope: 'user', limit: 150, windowSeconds: 3600, alignment: 'fixed' }],
  webhook: {
    // Subscriber verification: GET ?verify=<code> -> 204 for the configured code, 404 otherwise.
    handshake: (req, ctx) => {
      if (req.method !== 'GET') return null;
      const code = Buffer.from(req.query.verify ?? '');
      return ctx.verifyToken && sameBytes(code, Buffer.from(ctx.verifyToken))
        ? { status: 204 }
        : { status: 404 };
    },
    verify: (req, ctx) => {
      const given = req.headers['x-fitbit-signature'];
      if (req.method !== 'POST' || !given) return false;
      return sameBytes(Buffer.from(given), Buffer.from(fitbitSignature(ctx.clientSecret, req.rawBody)));
    },
    parse: (req) => {
      const byOwner = new Map<string, { kinds: Set<DataKind>; revoked: boolean }>();
      for (const n of FitbitNotifications.parse(JSON.parse(req.rawBody.toString('utf8')))) {
        const entry = byOwner.get(n.ownerId) ?? { kinds: new Set<DataKind>(), revoked: false };
        const kind = COLLECTIONS[n.collectionType];
        if (kind) entry.kinds.add(kind);
        if (n.collectionType === 'userRevokedAccess') entry.revoked = true;
        byOwner.set(n.ownerId, entry);
      }
      return [...byOwner].map(
        ([externalUserId, e]): WebhookNotification => ({
          externalUserId,
          kinds: [...e.kinds],
          ...(e.revoked ? { revoked: true } : {}),
        }),
      );
    },
    accepted: { status: 204 },
    rejected: { status: 404 },
  },
});
