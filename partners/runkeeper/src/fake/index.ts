import {
  createPartnerFake,
  type FakeHandle,
  type PartnerFakeOptions,
  RollingWindowLimiter,
} from '@healthsync/partner-kit/fake';
import type { Response } from 'express';
import { runKeeperApi } from './api.js';
import { createRunKeeperData, type ResourceKey, type RunKeeperFakeData, seedUser } from './store.js';

export { RESOURCES, vnd } from './api.js';
export { formatLocalTime, type ResourceKey, type RunKeeperFakeData } from './store.js';

export interface RunKeeperFakeOptions extends PartnerFakeOptions {
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
  const tooMany = (res: Response, seconds: number) =>
    void res.status(429).type('text/plain').send(rateLimitText(seconds));
  const fake = createPartnerFake({
    partner: 'runkeeper',
    options,
    client: { id: 'runkeeper-client', secret: 'runkeeper-secret' },
    newUserId: (n) => String(1_234_567_890 + n),
    faults: {
      serverError: (res, status) => void res.status(status).type('text/plain').send('Service Unavailable'),
      rateLimited: tooMany,
    },
    demo: {
      plant: (userId, random) => seedUser(data, userId, random, clock.now()),
      enabled: options.demoData !== false,
      lazy: true,
    },
  });
  const { clock } = fake;
  // https://runkeeper.com/developer/healthgraph/overview (authorization), tapiriik's de-authorize call
  fake.oauth2({
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
  // RunKeeper's limits are undocumented; the fake counts per user in a rolling window.
  const limiter = new RollingWindowLimiter({
    limit: options.userLimitPer15Min ?? 300,
    windowSeconds: 900,
    clock,
  });
  fake.app.use(
    runKeeperApi({
      data,
      ...(options.paths ? { paths: options.paths } : {}),
      maxPageSize: () => maxPageSize,
      authenticate: (req) => {
        const auth = fake.authenticate(req);
        return auth.ok ? auth.userId : undefined;
      },
      before: [
        fake.faults.middleware,
        (_req, res, next) => {
          const decision = limiter.take(String(res.locals.userId));
          if (decision.allowed) return next();
          tooMany(res, decision.retryAfterSeconds);
        },
      ],
    }),
  );

  return fake.listen({
    data,
    setMaxPageSize: (size: number | undefined) => {
      maxPageSize = size;
    },
  });
}
