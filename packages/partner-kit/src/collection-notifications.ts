import type { DataKind } from '@healthsync/contracts';
import type { z } from 'zod';
import type { WebhookNotification, WebhookRequest } from './define-partner.js';
import { type RawPath, rawAt } from './fields.js';
import { notificationsByUser } from './webhook.js';

export interface CollectionNotificationSpec {
  /** Where each entry names the user (the partner's user id). */
  readonly user: RawPath;
  /** Where each entry names what changed (a collection, an object type). */
  readonly collection: RawPath;
  /** The data kind each collection makes due (collections not named make nothing due). */
  readonly kinds: Readonly<Record<string, DataKind>>;
  /** The collection that says the user revoked access. */
  readonly revoked?: string;
}

/**
 * A webhook `parse` for JSON notifications of one entry per user and changed collection (a list,
 * possibly batching several users, or a single entry): the body parsed with the partner's schema
 * (a body that is not JSON or does not match throws), each entry's collection looked up in
 * `kinds`, and the entries merged into one notification per user (`notificationsByUser`).
 */
export function collectionNotifications(schema: z.ZodType, spec: CollectionNotificationSpec) {
  return (req: WebhookRequest): WebhookNotification[] => {
    const body = schema.parse(JSON.parse(req.rawBody.toString('utf8')));
    return notificationsByUser(
      (Array.isArray(body) ? body : [body]).map((entry) => {
        const collection = String(rawAt(entry, spec.collection));
        return {
          externalUserId: String(rawAt(entry, spec.user)),
          kind: Object.hasOwn(spec.kinds, collection) ? spec.kinds[collection] : undefined,
          revoked: collection === spec.revoked,
        };
      }),
    );
  };
}
