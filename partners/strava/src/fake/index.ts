import { randomBytes } from 'node:crypto';
import type { DataKind } from '@healthsync/contracts';
import { sameText, type WebhookRequest } from '@healthsync/partner-kit';
import {
  bearerToken,
  createPartnerFake,
  createWebhookSender,
  type FakeHandle,
  FixedWindowLimiter,
  fakeBodyParsers,
  jsonNotification,
  type PartnerFakeOptions,
  params,
  type RateDecision,
  type WebhookDelivery,
} from '@healthsync/partner-kit/fake';
import express, { type NextFunction, type Request, type Response } from 'express';
import { StravaFakeData, seedAthlete } from './data.js';
import { stravaDataRoutes, stravaError } from './routes.js';

export { SPORT_TYPES, type StravaFakeActivity, type StravaFakeAthlete, StravaFakeData } from './data.js';

export interface StravaFakeOptions extends PartnerFakeOptions {
  /** Per-application limits: overall and read, as [per 15 minutes, per day]. Strava's defaults. */
  limits?: { overall?: readonly [number, number]; read?: readonly [number, number] };
  /** Delays before the 2nd and 3rd delivery attempt of an event (Strava makes 3 attempts in all). */
  eventRetryDelaysMs?: readonly number[];
}

export interface StravaEventInput {
  object_type: 'activity' | 'athlete';
  object_id: number;
  aspect_type: 'create' | 'update' | 'delete';
  owner_id: number;
  updates?: Record<string, string>;
}

export interface StravaPushSubscription {
  readonly id: number;
  readonly callbackUrl: string;
  readonly verifyToken: string;
  readonly createdAt: Date;
}

export interface StravaFakeHandle extends FakeHandle {
  readonly data: StravaFakeData;
  /** The application's push subscription (Strava allows one per application). */
  subscription(): StravaPushSubscription | undefined;
  /** POST an event to the subscription's callback (up to 3 attempts, 200 expected within 2 s). */
  sendEvent(event: StravaEventInput): Promise<WebhookDelivery | undefined>;
  /** Every event delivery so far (deauthorizations are sent without being awaited). */
  readonly deliveries: readonly WebhookDelivery[];
  /** Wait for event deliveries still in flight. */
  settled(): Promise<void>;
}

const API = '/api/v3';

/**
 * A Strava fake on 127.0.0.1 with www.strava.com's paths: OAuth 2.0 (comma scopes, client
 * credentials in the body, 6-hour tokens with `expires_at`, a refresh token that changes on
 * refresh and spends the old one, `athlete` in the token response, deauthorize), the API v3
 * endpoints for activities and the athlete, the per-application 15-minute and daily windows with
 * `X-RateLimit-*` / `X-ReadRateLimit-*` headers and 429, and the push subscription with its
 * `hub.challenge` round trip and event delivery.
 */
export async function startFake(options: StravaFakeOptions = {}): Promise<StravaFakeHandle> {
  const fake = createPartnerFake({
    partner: 'strava',
    options,
    client: { id: '12345', secret: 'strava-client-secret' },
    newUserId: (n) => String(134_800 + n * 7),
    acceptUserId: (id) => {
      if (!/^[1-9]\d{0,17}$/.test(id)) throw new RangeError('Strava athlete ids are positive integers');
      return id;
    },
    faults: {
      serverError: (res, status) =>
        stravaError(res, status, status === 503 ? 'Service Unavailable' : 'Internal Server Error'),
      rateLimited: (res) => {
        rateHeaders(res, true);
        tooMany(res);
      },
    },
    account: (id) => data.athlete(id),
    demo: { plant: (id, random) => seedAthlete(data, id, random) },
  });
  const { clock, clientId, clientSecret, app } = fake;
  const data = new StravaFakeData(clock);

  // Deauthorization also notifies the subscription (athlete event, `authorized: "false"`).
  const inFlight = new Set<Promise<unknown>>();
  app.post('/oauth/deauthorize', ...fakeBodyParsers(), (req, res, next) => {
    const token = params(req).access_token ?? bearerToken(req);
    const who = oauth.tokens.authenticate(token);
    res.on('finish', () => {
      if (!who.ok || res.statusCode !== 200) return;
      const id = Number(who.userId);
      const sent = sendEvent({
        object_type: 'athlete',
        object_id: id,
        aspect_type: 'update',
        owner_id: id,
        updates: { authorized: 'false' },
      });
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    });
    next();
  });

  // https://developers.strava.com/docs/authentication/
  const oauth = fake.oauth2({
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    revokePath: '/oauth/deauthorize',
    revokeTokenParam: 'access_token',
    clientAuth: 'body',
    pkce: 'none',
    accessTokenTtlSeconds: 21_600,
    refresh: 'rotating',
    scopeSeparator: ',',
    defaultScopes: ['read'],
    tokenFields: (userId, issued) => {
      fake.ensureUser(userId);
      const a = data.athlete(userId);
      const expiresAt = Math.floor(clock.now().getTime() / 1000) + (issued.expiresIn ?? 0);
      return {
        expires_at: expiresAt,
        athlete: {
          id: Number(userId),
          username: a.username,
          resource_state: 2,
          firstname: a.firstname,
          lastname: a.lastname,
        },
      };
    },
    callbackParams: ({ scopes }) => ({ scope: scopes.join(',') }),
    errorResponse: (error, description, status) => {
      const resource = /refresh/.test(description)
        ? 'RefreshToken'
        : /code/.test(description)
          ? 'AuthorizationCode'
          : 'Application';
      const field =
        resource === 'RefreshToken'
          ? 'refresh_token'
          : resource === 'AuthorizationCode'
            ? 'code'
            : error === 'invalid_client'
              ? 'client_id'
              : '';
      return {
        status,
        body: {
          message: status === 401 ? 'Authorization Error' : 'Bad Request',
          errors: [{ resource, field, code: 'invalid' }],
        },
      };
    },
  });

  // https://developers.strava.com/docs/rate-limits/ (per application; reads are GET requests)
  const [overall15, overallDay] = options.limits?.overall ?? [200, 2000];
  const [read15, readDay] = options.limits?.read ?? [100, 1000];
  const limiter = (limit: number, windowSeconds: number) =>
    new FixedWindowLimiter({ limit, windowSeconds, clock });
  const windows = {
    overall: [limiter(overall15, 900), limiter(overallDay, 86_400)] as const,
    read: [limiter(read15, 900), limiter(readDay, 86_400)] as const,
  };
  const used = (d: RateDecision) => d.limit - d.remaining;
  const rateHeaders = (res: Response, full = false) => {
    for (const [name, [quarter, day]] of [
      ['X-RateLimit', windows.overall],
      ['X-ReadRateLimit', windows.read],
    ] as const) {
      const q = quarter.peek('app');
      const d = day.peek('app');
      res.set(`${name}-Limit`, `${q.limit},${d.limit}`);
      res.set(`${name}-Usage`, full ? `${q.limit},${used(d)}` : `${used(q)},${used(d)}`);
    }
  };
  const tooMany = (res: Response) =>
    stravaError(res, 429, 'Rate Limit Exceeded', [
      { resource: 'Application', field: 'rate limit', code: 'exceeded' },
    ]);
  /** Daily windows count first, so a request over the 15-minute limit still counts against the day. */
  const takeBudget = (isRead: boolean): boolean => {
    const order = isRead
      ? [windows.overall[1], windows.read[1], windows.overall[0], windows.read[0]]
      : [windows.overall[1], windows.overall[0]];
    return order.every((w) => w.take('app').allowed);
  };

  const guard = (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/push_subscriptions')) return next();
    const auth = fake.authenticate(req);
    if (!auth.ok)
      return stravaError(res, 401, 'Authorization Error', [
        { resource: 'Athlete', field: 'access_token', code: 'invalid' },
      ]);
    const allowed = takeBudget(req.method === 'GET' || req.method === 'HEAD');
    rateHeaders(res);
    if (!allowed) return tooMany(res);
    res.locals.userId = auth.userId;
    res.locals.scope = auth.scope;
    next();
  };

  // ---- push subscriptions (https://developers.strava.com/docs/webhooks/) --------------------
  let subscription: StravaPushSubscription | undefined;
  let nextSubscriptionId = 120_475;
  const sender = createWebhookSender({
    retryDelaysMs: options.eventRetryDelaysMs ?? [1000, 5000],
    timeoutMs: 2000,
    isSuccess: (status) => status === 200,
  });
  const sendEvent = async (event: StravaEventInput) => {
    if (!subscription) return undefined;
    const body = JSON.stringify({
      aspect_type: event.aspect_type,
      event_time: Math.floor(clock.now().getTime() / 1000),
      object_id: event.object_id,
      object_type: event.object_type,
      owner_id: event.owner_id,
      subscription_id: subscription.id,
      updates: event.updates ?? {},
    });
    return sender.send(subscription.callbackUrl, { body, contentType: 'application/json' });
  };
  const appAuthorized = (res: Response, p: Record<string, string>) => {
    if (p.client_id === clientId && p.client_secret !== undefined && sameText(p.client_secret, clientSecret))
      return true;
    stravaError(res, 401, 'Authorization Error', [
      { resource: 'Application', field: 'client_id', code: 'invalid' },
    ]);
    return false;
  };
  const subscriptionJson = (s: StravaPushSubscription) => ({
    id: s.id,
    resource_state: 2,
    application_id: Number(clientId) || clientId,
    callback_url: s.callbackUrl,
    created_at: s.createdAt.toISOString(),
    updated_at: s.createdAt.toISOString(),
  });

  const subscriptions = express.Router();
  subscriptions.post('/push_subscriptions', async (req, res) => {
    const p = params(req);
    if (!appAuthorized(res, p)) return;
    for (const field of ['callback_url', 'verify_token'] as const)
      if (!p[field])
        return stravaError(res, 400, 'Bad Request', [
          { resource: 'PushSubscription', field, code: 'missing' },
        ]);
    if (subscription)
      return stravaError(res, 400, 'Bad Request', [
        { resource: 'PushSubscription', field: '', code: 'already exists' },
      ]);
    // The validation request: GET callback?hub.mode=subscribe&hub.challenge=..&hub.verify_token=..; 200 + echo within 2 s.
    const challenge = randomBytes(16).toString('hex');
    const url = new URL(p.callback_url ?? '');
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', p.verify_token ?? '');
    const answer = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as unknown }))
      .catch(() => ({ status: 0, body: null }));
    if (answer.status !== 200)
      return stravaError(res, 400, 'Bad Request', [
        {
          resource: 'PushSubscription',
          field: 'callback url',
          code: 'GET to callback URL does not return 200',
        },
      ]);
    const echoed =
      typeof answer.body === 'object' && answer.body !== null
        ? Reflect.get(answer.body, 'hub.challenge')
        : undefined;
    if (echoed !== challenge)
      return stravaError(res, 400, 'Bad Request', [
        { resource: 'PushSubscription', field: 'callback url', code: 'challenge verification failed' },
      ]);
    subscription = {
      id: nextSubscriptionId++,
      callbackUrl: p.callback_url ?? '',
      verifyToken: p.verify_token ?? '',
      createdAt: clock.now(),
    };
    res.status(201).json({ id: subscription.id });
  });
  subscriptions.get('/push_subscriptions', (req, res) => {
    if (!appAuthorized(res, params(req))) return;
    res.json(subscription ? [subscriptionJson(subscription)] : []);
  });
  subscriptions.delete('/push_subscriptions/:id', (req, res) => {
    if (!appAuthorized(res, params(req))) return;
    if (!subscription || String(subscription.id) !== req.params.id)
      return stravaError(res, 404, 'Resource Not Found', [
        { resource: 'PushSubscription', field: 'id', code: 'invalid' },
      ]);
    subscription = undefined;
    res.status(204).end();
  });

  app.use(API, ...fakeBodyParsers(), guard, fake.faults.middleware, subscriptions);
  app.use(stravaDataRoutes(data));
  app.use((_req, res) =>
    stravaError(res, 404, 'Record Not Found', [{ resource: 'resource', field: 'path', code: 'invalid' }]),
  );

  const notification = (externalUserId: string, kind: DataKind): WebhookRequest => {
    const owner = Number(externalUserId);
    const latest = data.activities.list(externalUserId).at(-1);
    const body =
      kind === 'exercise'
        ? { aspect_type: 'create', object_id: Number(latest?.id ?? 1), object_type: 'activity' }
        : { aspect_type: 'update', object_id: owner, object_type: 'athlete' };
    return jsonNotification(
      JSON.stringify({
        ...body,
        event_time: Math.floor(clock.now().getTime() / 1000),
        owner_id: owner,
        subscription_id: subscription?.id ?? 1,
        updates: {},
      }),
    );
  };

  return fake.listen(
    {
      data,
      deliveries: sender.deliveries,
      subscription: () => subscription,
      sendEvent,
      settled: async () => {
        await Promise.allSettled([...inFlight]);
      },
    },
    { controls: { notification }, beforeClose: () => Promise.allSettled([...inFlight]) },
  );
}
