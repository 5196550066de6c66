import type { DataKind } from '@healthsync/contracts';
import {
  createPartnerFake,
  demoSeed,
  type FakeHandle,
  type PartnerFakeOptions,
  RollingWindowLimiter,
  type WebhookDelivery,
} from '@healthsync/partner-kit/fake';
import type express from 'express';
import { send } from './envelope.js';
import { APPLI_OF_KIND, Notifications } from './notify.js';
import { createApiRoutes, type WithingsAuth } from './routes.js';
import { seedDemoUsers } from './seed.js';
import { WithingsStore } from './store.js';

export { Notifications } from './notify.js';
export { decodeMeasure, encodeMeasure, WithingsStore } from './store.js';

export interface WithingsFakeOptions extends PartnerFakeOptions {
  /** Demo users seeded with four weeks of data (default 2; 0 when `seed` is false). */
  demoUsers?: number;
  /** Groups or workouts per page; Withings does not document it (default 200). */
  pageSize?: number;
  /** Requests per rolling minute for the whole application (default 120). */
  rateLimitPerMinute?: number;
  /** Retry delays of failed notification deliveries (default 10 s, 1 min, 1 h, 4 h). */
  notifyRetryDelaysMs?: readonly number[];
  /** Enforce Withings' callback URL rules (https, no IP, no localhost); off by default. */
  strictCallbackUrls?: boolean;
}

export interface WithingsFakeHandle extends FakeHandle {
  readonly store: WithingsStore;
  readonly notifications: Notifications;
  /** The seeded users' Withings ids. */
  readonly demoUserIds: readonly string[];
  setPageSize(size: number): void;
  /** POST a notification to every subscription of this user for `appli` (or a data kind). */
  notify(
    userid: string,
    appli: number | DataKind,
    startdate?: number,
    enddate?: number,
  ): Promise<WebhookDelivery[]>;
}

const INVALID_TOKEN = 'XRequestID: Not provided invalid_token: The access token provided is invalid';

function userid(id: string): number {
  if (!/^\d{1,15}$/.test(id)) throw new RangeError(`Withings user ids are integers, not ${id}`);
  return Number(id);
}

/**
 * A faithful fake of the Withings API on one port: the current OAuth 2.0 authorization and
 * `v2/oauth2` token endpoint, the legacy OAuth 1.0a endpoints, `measure getmeas`,
 * `v2/measure getworkouts` and `/notify`, with the `{status, body}` envelope and the
 * application-wide 120 requests/minute limit.
 */
export async function startFake(options: WithingsFakeOptions = {}): Promise<WithingsFakeHandle> {
  const fake = createPartnerFake({
    partner: 'Withings',
    options,
    client: { id: 'withings-client', secret: 'withings-secret' },
    acceptUserId: (id) => String(userid(id)),
    faults: {
      serverError: (res, status) =>
        res.status(status).type('html').send('<html><body><h1>Service Unavailable</h1></body></html>'),
      rateLimited: (res) => send(res, 601, {}, 'Too many requests'),
    },
    account: (id) => store.createUser(userid(id)),
  });
  const { clock, clientId, users } = fake;
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const store = new WithingsStore(nowSeconds);
  const notifications = new Notifications({
    ...(options.notifyRetryDelaysMs ? { retryDelaysMs: options.notifyRetryDelaysMs } : {}),
    ...(options.strictCallbackUrls !== undefined ? { strictCallbackUrls: options.strictCallbackUrls } : {}),
  });
  let pageSize = options.pageSize ?? 200;
  const limiter = new RollingWindowLimiter({
    limit: options.rateLimitPerMinute ?? 120,
    windowSeconds: 60,
    clock,
  });

  // https://developer.withings.com/api-reference/#tag/oauth2 (authorize2 and v2/oauth2 requesttoken)
  const oauth2 = fake.oauth2({
    authorizePath: '/oauth2_user/authorize2',
    tokenPath: '/v2/oauth2',
    clientAuth: 'body',
    pkce: 'none',
    codeTtlSeconds: 30,
    accessTokenTtlSeconds: 10_800,
    refresh: 'rotating-grace',
    graceSeconds: 8 * 3600,
    scopeSeparator: ',',
    defaultScopes: ['user.info'],
    requiredTokenParams: { action: 'requesttoken' },
    tokenFields: (id) => ({ userid: Number(id), csrf_token: 'PACnnxwHTaBQOzF7bQqwFUUotIuvtzSM' }),
    tokenResponse: (body) => ({ status: 200, body: { status: 0, body } }),
    errorResponse: (error, description) => ({
      status: 200,
      body: {
        status: /^action /.test(description) ? 2554 : 503,
        body: {},
        error: `Invalid Params: ${error}: ${description}`,
      },
    }),
    allowQueryToken: true,
  });
  // Legacy OAuth 1.0a (closed 2018-11-30), http://www.withings.com/en/api/wbsapiv2 (archived)
  const oauth1 = fake.oauth1({
    requestTokenPath: '/account/request_token',
    authorizePath: '/account/authorize',
    accessTokenPath: '/account/access_token',
    accessTokenFields: (id) => ({ userid: id }),
  });

  const authenticate = (req: express.Request, p: Readonly<Record<string, string>>): WithingsAuth => {
    const signed =
      typeof req.query.oauth_signature === 'string' || req.get('authorization')?.startsWith('OAuth ');
    if (signed) {
      const r = oauth1.authenticate(req);
      if (!r.ok)
        return {
          ok: false,
          status: r.reason === 'bad_signature' ? 342 : 249,
          error: `Invalid OAuth credentials: ${r.detail}`,
        };
      if (p.userid !== r.userId || !/^\d+$/.test(r.userId))
        return { ok: false, status: 247, error: 'Invalid userid' };
      return { ok: true, userid: Number(r.userId) };
    }
    const r = oauth2.authenticate(req);
    if (!r.ok || !/^\d+$/.test(r.userId)) return { ok: false, status: 401, error: INVALID_TOKEN };
    return { ok: true, userid: Number(r.userId) };
  };

  fake.api.use(
    createApiRoutes({
      store,
      notify: notifications,
      authenticate,
      admit: () => limiter.take(clientId).allowed,
      faults: fake.faults.middleware,
      pageSize: () => pageSize,
      nowSeconds,
    }),
  );

  const seed = demoSeed(options.seed);
  const demoUserIds = Array.from({ length: options.demoUsers ?? (seed === undefined ? 0 : 2) }, () =>
    users.create(),
  );
  seedDemoUsers(store, seed ?? 1, nowSeconds(), demoUserIds.map(userid));

  const handle: Omit<WithingsFakeHandle, keyof FakeHandle> = {
    store,
    notifications,
    demoUserIds,
    setPageSize: (size) => {
      if (!Number.isInteger(size) || size < 1) throw new RangeError('page size must be a positive integer');
      pageSize = size;
    },
    notify: (id, appli, startdate = nowSeconds() - 3600, enddate = nowSeconds()) => {
      const code = typeof appli === 'number' ? appli : APPLI_OF_KIND[appli];
      if (code === undefined) throw new Error(`Withings sends no notification for ${String(appli)}`);
      return notifications.deliver(userid(id), code, startdate, enddate);
    },
  };
  return fake.listen(handle, {
    controls: {
      revokeUser: (id) => {
        fake.controls.revokeUser(id);
        notifications.dropUser(userid(id));
      },
      notification: (id, kind) => Notifications.request(userid(id), kind, nowSeconds() - 3600, nowSeconds()),
    },
  });
}
