import type { DataKind } from '@healthsync/contracts';
import type { WebhookRequest } from '@healthsync/partner-kit';
import {
  createPartnerFake,
  createWebhookSender,
  type FakeHandle,
  FixedWindowLimiter,
  fakeBodyParsers,
  jsonNotification,
  type PartnerFakeOptions,
  type WebhookDelivery,
} from '@healthsync/partner-kit/fake';
import type { NextFunction, Request, Response } from 'express';
import { fitbitSignature } from '../partner.js';
import { type FitbitFakeData as Data, FitbitFakeData, seedUser } from './data.js';
import { fitbitDataRoutes, fitbitError } from './routes.js';
import { type Collection, type Subscription, subscriptionRoutes } from './subscriptions.js';

export {
  type ActivityEntry,
  addDays,
  type BodyEntry,
  FitbitFakeData,
  type FoodEntry,
  localDateTime,
} from './data.js';
export type { Collection, Subscription } from './subscriptions.js';

export interface FitbitFakeOptions extends PartnerFakeOptions {
  /** Requests per user per clock hour (default 150, Fitbit's documented limit). */
  hourlyLimit?: number;
}

export interface SubscriberCheck {
  /** Both verification GETs answered as Fitbit requires (204 for the code, 404 for a wrong one). */
  readonly verified: boolean;
  readonly statuses: readonly [number | undefined, number | undefined];
}

export interface FitbitFakeHandle extends FakeHandle {
  readonly data: Data;
  readonly subscriptions: ReadonlyMap<string, Subscription>;
  /**
   * Register a subscriber endpoint as on dev.fitbit.com: Fitbit sends `GET ?verify=<code>` (must
   * answer 204) and `GET ?verify=<wrong code>` (must answer 404); only a verified subscriber is
   * notified.
   */
  addSubscriber(url: string, verificationCode: string, subscriberId?: string): Promise<SubscriberCheck>;
  /**
   * Tell the subscribers of this user's subscriptions that a collection changed: one signed JSON
   * array per subscriber (`X-Fitbit-Signature`), 204 expected within 5 s.
   */
  notify(ownerId: string, collectionType: Collection, date?: string): Promise<WebhookDelivery[]>;
}

const COLLECTION_OF: Readonly<Record<DataKind, Collection>> = {
  measurement: 'body',
  exercise: 'activities',
  food: 'foods',
};
const USER_ID = /^[0-9A-Z]{6}$/;
const tooMany = (res: Response) => fitbitError(res, 429, 'system', 'Too Many Requests');

/** Fitbit user ids look like `GGNJL9`: six characters from 0-9 and A-Z. */
const fitbitUserId = (n: number) =>
  ((n * 2_654_435_761) % 2_176_782_336).toString(36).toUpperCase().padStart(6, 'B');

/**
 * A Fitbit Web API fake on 127.0.0.1 with www.fitbit.com's and api.fitbit.com's paths on one origin:
 * OAuth 2.0 with PKCE (S256 required), HTTP Basic client auth, 10-minute codes, 8-hour access
 * tokens and single-use rotating refresh tokens; the data API with query-string POST parameters,
 * Accept-Language units, `errors[]` bodies, a per-user 150/hour fixed window with
 * `Fitbit-Rate-Limit-*` headers; the Subscriptions API and signed notifications.
 */
export async function startFake(options: FitbitFakeOptions = {}): Promise<FitbitFakeHandle> {
  const fake = createPartnerFake({
    partner: 'fitbit',
    options,
    client: { id: 'fitbit-client', secret: 'fitbit-client-secret' },
    newUserId: fitbitUserId,
    acceptUserId: (id) => {
      if (!USER_ID.test(id)) throw new RangeError('Fitbit user ids are six characters from 0-9 and A-Z');
      return id;
    },
    faults: {
      serverError: (res, status) => fitbitError(res, status, 'system', 'The API is temporarily unavailable'),
      rateLimited: (res, retryAfter) => {
        res.set({ 'Fitbit-Rate-Limit-Remaining': '0', 'Fitbit-Rate-Limit-Reset': String(retryAfter) });
        tooMany(res);
      },
    },
    account: (userId) => data.profile(userId),
    demo: { plant: (userId, random) => seedUser(data, userId, random) },
  });
  const { clock, clientSecret } = fake;
  const data = new FitbitFakeData(clock);

  // https://dev.fitbit.com/build/reference/web-api/authorization/ (authorize, oauth2-token, refresh-token, revoke-token)
  fake.oauth2({
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/token',
    revokePath: '/oauth2/revoke',
    clientAuth: 'basic',
    pkce: 'required',
    codeTtlSeconds: 600,
    accessTokenTtlSeconds: 28_800,
    refresh: 'rotating',
    scopeSeparator: ' ',
    defaultScopes: ['activity', 'nutrition', 'profile', 'weight'],
    tokenFields: (userId) => ({ user_id: userId }),
    errorResponse: (error, description, status) => ({
      status,
      body: { errors: [{ errorType: error, message: description }], success: false },
    }),
  });

  const limiter = new FixedWindowLimiter({ limit: options.hourlyLimit ?? 150, windowSeconds: 3600, clock });
  const rateHeaders = (res: Response, d: { limit: number; remaining: number; resetAt: Date }) =>
    res.set({
      'Fitbit-Rate-Limit-Limit': String(d.limit),
      'Fitbit-Rate-Limit-Remaining': String(d.remaining),
      'Fitbit-Rate-Limit-Reset': String(
        Math.max(0, Math.ceil((d.resetAt.getTime() - clock.now().getTime()) / 1000)),
      ),
    });

  /** Bearer token -> user, user-id check, Content-Length on POST, then the user's hourly bucket. */
  const guard = (req: Request, res: Response, next: NextFunction) => {
    const auth = fake.authenticate(req);
    if (!auth.ok) {
      const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
      if (auth.reason === 'missing')
        return fitbitError(res, 401, 'invalid_client', 'Invalid authorization header format.');
      if (auth.reason === 'expired')
        return fitbitError(res, 401, 'expired_token', `Access token expired: ${token}`);
      return fitbitError(res, 401, 'invalid_token', `Access token invalid: ${token}`);
    }
    const user = /^\/1\/user\/([^/?]+)\//.exec(req.originalUrl)?.[1];
    if (user !== '-' && user !== auth.userId)
      return fitbitError(
        res,
        403,
        'insufficient_permissions',
        'The caller is not authorized to view the requested resource.',
      );
    if (
      req.method === 'POST' &&
      req.get('content-length') === undefined &&
      req.get('transfer-encoding') === undefined
    )
      return void res.status(411).type('text/plain').send('Length Required');
    const decision = limiter.take(auth.userId);
    rateHeaders(res, decision);
    if (!decision.allowed) return tooMany(res);
    res.locals.userId = auth.userId;
    res.locals.scope = auth.scope;
    next();
  };

  /** The scope each data path needs (https://dev.fitbit.com/build/reference/web-api/developer-guide/application-design/#Scopes). */
  const scopeGuard = (req: Request, res: Response, next: NextFunction) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    const needed = /\/apiSubscriptions/.test(path)
      ? undefined
      : /\/body\//.test(path)
        ? 'weight'
        : /\/activities[/.]/.test(path)
          ? 'activity'
          : /\/foods\//.test(path)
            ? 'nutrition'
            : /\/profile\.json$/.test(path)
              ? 'profile'
              : undefined;
    if (needed && !String(res.locals.scope).split(' ').includes(needed))
      return fitbitError(
        res,
        403,
        'insufficient_scope',
        `This application does not have permission to access ${needed} data.`,
      );
    next();
  };

  const subscriptions = new Map<string, Subscription>();
  const subscribers = new Map<string, string>();
  const sender = createWebhookSender({
    sign: (body) => ({ 'X-Fitbit-Signature': fitbitSignature.sign(clientSecret, body) }),
    isSuccess: (status) => status === 204,
    timeoutMs: 5000,
  });

  const { app } = fake;
  app.use('/1/user', ...fakeBodyParsers());
  app.use('/1/user', guard, fake.faults.middleware, scopeGuard);
  app.use(subscriptionRoutes(subscriptions));
  app.use(fitbitDataRoutes(data));
  app.use((_req, res) =>
    fitbitError(res, 404, 'not_found', 'The API you are requesting could not be found.'),
  );

  const notificationBody = (
    ownerId: string,
    items: readonly Subscription[],
    collection: Collection,
    date: string,
  ) =>
    JSON.stringify(
      items.map((s) => ({
        collectionType: collection,
        date,
        ownerId,
        ownerType: 'user',
        subscriptionId: s.subscriptionId,
      })),
    );

  const notification = (externalUserId: string, kind: DataKind): WebhookRequest => {
    const collection = COLLECTION_OF[kind];
    const date = data.today(externalUserId);
    const sub = {
      subscriptionId: `${externalUserId}-${collection}`,
      ownerId: externalUserId,
      collectionType: collection,
      subscriberId: '1',
    };
    const rawBody = Buffer.from(notificationBody(externalUserId, [sub], collection, date));
    return jsonNotification(rawBody, { 'x-fitbit-signature': fitbitSignature.sign(clientSecret, rawBody) });
  };

  const handle: Omit<FitbitFakeHandle, keyof FakeHandle> = {
    data,
    subscriptions,
    async addSubscriber(url, verificationCode, subscriberId = '1') {
      const check = async (code: string) => {
        const u = new URL(url);
        u.searchParams.set('verify', code);
        const res = await fetch(u, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
        await res?.arrayBuffer().catch(() => undefined);
        return res?.status;
      };
      const statuses = [await check(verificationCode), await check(`${verificationCode}-wrong`)] as const;
      const verified = statuses[0] === 204 && statuses[1] === 404;
      if (verified) subscribers.set(subscriberId, url);
      else subscribers.delete(subscriberId);
      return { verified, statuses };
    },
    async notify(ownerId, collectionType, date) {
      const day = date ?? data.today(ownerId);
      const matching = [...subscriptions.values()].filter(
        (s) => s.ownerId === ownerId && (s.collectionType === collectionType || s.collectionType === 'user'),
      );
      const deliveries: WebhookDelivery[] = [];
      for (const [subscriberId, url] of subscribers) {
        const mine = matching.filter((s) => s.subscriberId === subscriberId);
        if (mine.length === 0) continue;
        deliveries.push(
          await sender.send(url, {
            body: notificationBody(ownerId, mine, collectionType, day),
            contentType: 'application/json',
          }),
        );
      }
      return deliveries;
    },
  };
  return fake.listen(handle, { controls: { notification } });
}
