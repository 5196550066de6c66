import express, { type Response, type Router } from 'express';
import { fitbitError } from './routes.js';

/**
 * The Subscriptions API registry (https://dev.fitbit.com/build/reference/web-api/subscription/).
 * A subscription ties a user (owner) and a collection (or all of them) to a subscriber.
 */
export const COLLECTIONS = ['activities', 'body', 'foods', 'sleep', 'userRevokedAccess'] as const;
export type Collection = (typeof COLLECTIONS)[number];

/** The scope each collection needs; all collections at once need all of them. */
const SCOPES: Readonly<Record<Collection, string | undefined>> = {
  activities: 'activity',
  body: 'weight',
  foods: 'nutrition',
  sleep: 'sleep',
  userRevokedAccess: undefined,
};
const ALL_SCOPES = ['activity', 'nutrition', 'profile', 'settings', 'sleep', 'weight'];

export interface Subscription {
  readonly subscriptionId: string;
  readonly ownerId: string;
  /** `user`: every collection (the path had no collection). */
  readonly collectionType: Collection | 'user';
  readonly subscriberId: string;
}

const json = (s: Subscription) => ({ ...s, ownerType: 'user' });

export function subscriptionRoutes(registry: Map<string, Subscription>): Router {
  const r = express.Router();
  const collectionOf = (value: unknown): Collection | 'user' | undefined =>
    value === undefined ? 'user' : COLLECTIONS.find((c) => c === value);
  const scoped = (res: Response, collection: Collection | 'user'): boolean => {
    const granted = String(res.locals.scope).split(' ');
    const needed = collection === 'user' ? ALL_SCOPES : [SCOPES[collection]].filter((s) => s !== undefined);
    const missing = needed.filter((s) => !granted.includes(s));
    if (missing.length === 0) return true;
    fitbitError(
      res,
      403,
      'insufficient_scope',
      `This application does not have permission to ${missing.join(', ')} data.`,
    );
    return false;
  };

  // https://dev.fitbit.com/build/reference/web-api/subscription/create-subscription/
  const create = (req: express.Request, res: Response) => {
    const collection = collectionOf(req.params.collection);
    if (!collection) return fitbitError(res, 404, 'not_found', 'Unknown collection');
    if (!scoped(res, collection)) return;
    const subscriptionId = String(req.params.id);
    if (subscriptionId.length > 50)
      return fitbitError(res, 400, 'validation', 'subscription-id is longer than 50 characters');
    const ownerId = String(res.locals.userId);
    const subscriberId = req.get('x-fitbit-subscriber-id') ?? '1';
    const existing = registry.get(subscriptionId);
    if (existing) {
      const same = existing.ownerId === ownerId && existing.collectionType === collection;
      if (same) return void res.status(200).json(json(existing));
      return fitbitError(res, 409, 'conflict', 'The subscription id is already used for another stream');
    }
    const clash = [...registry.values()].find(
      (s) => s.ownerId === ownerId && s.collectionType === collection,
    );
    if (clash)
      return fitbitError(
        res,
        409,
        'conflict',
        'The user is already subscribed to this stream with another id',
      );
    const sub: Subscription = { subscriptionId, ownerId, collectionType: collection, subscriberId };
    registry.set(subscriptionId, sub);
    res.status(201).json(json(sub));
  };
  r.post('/1/user/:user/apiSubscriptions/:id.json', create);
  r.post('/1/user/:user/:collection/apiSubscriptions/:id.json', create);

  // https://dev.fitbit.com/build/reference/web-api/subscription/get-subscription-list/
  const list = (req: express.Request, res: Response) => {
    const collection = collectionOf(req.params.collection);
    const mine = [...registry.values()].filter(
      (s) => s.ownerId === res.locals.userId && (collection === 'user' || s.collectionType === collection),
    );
    res.json({ apiSubscriptions: mine.map(json) });
  };
  r.get('/1/user/:user/apiSubscriptions.json', list);
  r.get('/1/user/:user/:collection/apiSubscriptions.json', list);

  // https://dev.fitbit.com/build/reference/web-api/subscription/delete-subscription/
  const remove = (req: express.Request, res: Response) => {
    const sub = registry.get(String(req.params.id));
    if (!sub || sub.ownerId !== res.locals.userId)
      return fitbitError(res, 404, 'not_found', 'No such subscription');
    registry.delete(sub.subscriptionId);
    res.status(204).end();
  };
  r.delete('/1/user/:user/apiSubscriptions/:id.json', remove);
  r.delete('/1/user/:user/:collection/apiSubscriptions/:id.json', remove);
  return r;
}
