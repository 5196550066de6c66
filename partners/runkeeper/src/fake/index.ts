import {
  createFakeOAuth2Server,
  createFaults,
  type FakeHandle,
  FakeUsers,
  listen,
  RollingWindowLimiter,
  type StartFakeOptions,
  systemFakeClock,
} from '@healthsync/partner-kit/fake';
import express, { type Response } from 'express';
import { runKeeperApi } from './api.js';
import { createRunKeeperData, type ResourceKey, type RunKeeperFakeData, random, seedUser } from './store.js';

export { RESOURCES, vnd } from './api.js';
export { formatLocalTime, type ResourceKey, type RunKeeperFakeData } from './store.js';

export interface RunKeeperFakeOptions extends StartFakeOptions {
  /** Give every user 30 days of demo history on first use (default true). */
  demoData?: boolean;
  /** Requests per user in any 15 minutes before a 429 (default 300). */
  userLimitPer15Min?: number;
  /** Serve the resources at other paths (to prove clients follow `/user`). */
  paths?: Partial<Record<ResourceKey, string>>;
}

export interface RunKeeperFakeHandle extends FakeHandle {
  /** The partner-side data, for tests that plant or inspect items. */
  readonly data: RunKeeperFakeData;
  /** Cap the feeds' page size (undefined: up to 100, as asked). */
  setMaxPageSize(size: number | undefined): void;
}

/** 429 text as RunKeeper words it: the wait in the largest whole unit. */
export function rateLimitText(seconds: number): string {
  const [n, unit] =
    seconds % 86_400 === 0
      ? [seconds / 86_400, 'day']
      : seconds % 3600 === 0
        ? [seconds / 3600, 'hour']
        : seconds % 60 === 0
          ? [seconds / 60, 'minute']
          : [seconds, 'second'];
  return `Rate limit exceeded for user. Try again in ${n} ${unit}${n === 1 ? '' : 's'}.`;
}

/**
 * A RunKeeper Health Graph fake on 127.0.0.1: OAuth 2.0 at runkeeper.com's paths (no scopes,
 * tokens that never expire, no refresh, client credentials in the body, de-authorize), and the
 * API at api.runkeeper.com's paths on the same origin.
 */
export async function startFake(options: RunKeeperFakeOptions = {}): Promise<RunKeeperFakeHandle> {
  const clock = options.clock ?? systemFakeClock;
  const clientId = options.clientId ?? 'runkeeper-client';
  const clientSecret = options.clientSecret ?? 'runkeeper-secret';
  const seed = options.seed ?? 1;
  const users = new FakeUsers((n) => String(1_234_567_890 + n));
  // https://runkeeper.com/developer/healthgraph/overview (authorization), tapiriik's de-authorize call
  const oauth = createFakeOAuth2Server({
    partner: 'runkeeper',
    clientId,
    clientSecret,
    ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
    clock,
    users,
    authorizePath: '/apps/authorize',
    tokenPath: '/apps/token',
    revokePath: '/apps/de-authorize',
    revokeTokenParam: 'access_token',
    clientAuth: 'body',
    pkce: 'none',
    accessTokenTtlSeconds: null,
    refresh: 'none',
    allowQueryToken: true,
  });

  const data = createRunKeeperData(clock);
  let maxPageSize: number | undefined;
  const seeded = new Set<string>();
  const tooMany = (res: Response, seconds: number) =>
    void res.status(429).type('text/plain').send(rateLimitText(seconds));
  const faults = createFaults({
    serverError: (res, status) => void res.status(status).type('text/plain').send('Service Unavailable'),
    rateLimited: tooMany,
  });
  // RunKeeper's limits are undocumented; the fake counts per user in a rolling window.
  const limiter = new RollingWindowLimiter({
    limit: options.userLimitPer15Min ?? 300,
    windowSeconds: 900,
    clock,
  });
  const app = express();
  app.use(oauth.router);
  app.use(
    runKeeperApi({
      data,
      ...(options.paths ? { paths: options.paths } : {}),
      maxPageSize: () => maxPageSize,
      authenticate: (req) => {
        const auth = oauth.authenticate(req);
        if (!auth.ok) return undefined;
        if (options.demoData !== false && !seeded.has(auth.userId)) {
          seeded.add(auth.userId);
          seedUser(
            data,
            auth.userId,
            random([...auth.userId].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, seed)),
            clock.now(),
          );
        }
        return auth.userId;
      },
      before: [
        faults.middleware,
        (_req, res, next) => {
          const decision = limiter.take(String(res.locals.userId));
          if (decision.allowed) return next();
          tooMany(res, decision.retryAfterSeconds);
        },
      ],
    }),
  );

  const server = await listen(app, options.port ?? 0);
  return {
    url: server.url,
    clientId,
    clientSecret,
    data,
    setMaxPageSize: (size) => {
      maxPageSize = size;
    },
    controls: {
      createUser: (id) => users.create(id),
      expireAccessTokens: (id) => oauth.expireAccessTokens(id),
      revokeUser: (id) => oauth.revokeUser(id),
      failNext: (count, status) => faults.failNext(count, status),
      rateLimitNext: (seconds, count) => faults.rateLimitNext(seconds, count),
      tokenEndpointCalls: () => oauth.tokenEndpointCalls(),
    },
    close: () => server.close(),
  };
}
