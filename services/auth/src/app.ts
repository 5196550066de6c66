import {
  type Clock,
  createHttpApp,
  type Db,
  type Logger,
  problems,
  type ReadinessCheck,
  systemClock,
} from '@healthsync/platform';
import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { type AuthContext, type AuthSettings, defaultSettings } from './context.js';
import type { KeyRing } from './crypto/key-ring.js';
import { requireCaller, type TokenVerifier } from './http/caller.js';
import { buildOpenApi } from './http/openapi.js';
import type { RouteDeps, RouteModule, RouteSpec } from './http/route.js';
import type { InstalledPartners } from './partners.js';
import type { ReturnUrlAllowList } from './return-url.js';
import { createConnection } from './routes/create-connection.route.js';
import { deleteConnection } from './routes/delete-connection.route.js';
import { getConnection } from './routes/get-connection.route.js';
import { internalCredentials } from './routes/internal-credentials.route.js';
import { listConnections } from './routes/list-connections.route.js';
import { listPartners } from './routes/list-partners.route.js';
import { oauthCallback } from './routes/oauth-callback.route.js';
import { openApiDocument } from './routes/openapi.route.js';
import { updateConnection } from './routes/update-connection.route.js';
import { webhookBodyErrors, webhookRoutes } from './routes/webhook.route.js';

export interface AuthAppDeps {
  readonly db: Db;
  readonly logger: Logger;
  readonly keyRing: KeyRing;
  readonly partners: InstalledPartners;
  readonly verifyToken: TokenVerifier;
  /** Public base URL (redirect URIs are `${publicUrl}/v1/oauth/{partner}/callback`). */
  readonly publicUrl: string;
  readonly returnUrls: ReturnUrlAllowList;
  readonly clock?: Clock;
  /** The partner HTTP boundary (default: global fetch). */
  readonly fetch?: typeof fetch;
  readonly settings?: Partial<AuthSettings>;
  /** Requests per minute per client address on the public API; null disables the limit. */
  readonly rateLimitPerMinute?: number | null;
  /** Express's `trust proxy`: the proxies whose `X-Forwarded-For` names the client (default: none). */
  readonly trustProxy?: number | readonly string[];
  readonly bodyLimit?: string;
  readonly readiness?: readonly ReadinessCheck[];
  readonly metrics?: Registry;
  /** Called after a commit that wrote events (wake the outbox relay). */
  readonly onEventsEnqueued?: () => void;
}

export interface AuthApp {
  readonly app: Express;
  readonly ctx: AuthContext;
  readonly openApi: Record<string, unknown>;
  readonly routes: readonly RouteSpec[];
}

const Health = z.object({ status: z.literal('ok'), service: z.string() });
const Ready = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

/** Routes the platform mounts (`createHttpApp`): documented here, served there. */
const platformRoutes: readonly RouteSpec[] = [
  {
    operationId: 'healthz',
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    tags: ['meta'],
    auth: 'none',
    rateLimited: false,
    responses: { '200': { description: 'Alive.', content: { 'application/json': Health } } },
  },
  {
    operationId: 'readyz',
    method: 'get',
    path: '/readyz',
    summary: 'Readiness (database)',
    tags: ['meta'],
    auth: 'none',
    rateLimited: false,
    responses: {
      '200': { description: 'Ready.', content: { 'application/json': Ready } },
      '503': { description: 'Not ready.', content: { 'application/json': Ready } },
    },
  },
  {
    operationId: 'metrics',
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tags: ['meta'],
    auth: 'none',
    rateLimited: false,
    responses: { '200': { description: 'Prometheus text format.', content: { 'text/plain': z.string() } } },
  },
];

/**
 * The auth service's HTTP app (DESIGN.md §5), built from its dependencies so tests start it
 * in-process against a real database and partner fakes.
 */
export function createAuthApp(deps: AuthAppDeps): AuthApp {
  const ctx: AuthContext = {
    db: deps.db,
    logger: deps.logger,
    keyRing: deps.keyRing,
    partners: deps.partners,
    clock: deps.clock ?? systemClock,
    publicUrl: deps.publicUrl.replace(/\/+$/, ''),
    fetch: deps.fetch,
    settings: { ...defaultSettings, ...deps.settings },
    onEventsEnqueued: deps.onEventsEnqueued ?? (() => {}),
    flights: new Map(),
  };
  const modules: RouteModule[] = [
    listPartners,
    createConnection(deps.returnUrls),
    oauthCallback,
    listConnections,
    getConnection,
    updateConnection,
    deleteConnection,
    ...webhookRoutes(deps.partners),
    internalCredentials,
    openApiDocument,
  ];
  const routes = [...platformRoutes, ...modules.map((m) => m.spec)];
  const openApi = buildOpenApi(routes, {
    title: 'Healthsync auth service',
    version: '1.0.0',
    description:
      'Partner connections (OAuth 2.0 and OAuth 1.0a), partner webhooks and the internal credentials API. Errors are RFC 9457 problem+json with a stable `code`.',
    serverUrl: ctx.publicUrl,
  });
  const routeDeps: RouteDeps = { ctx, verifyToken: deps.verifyToken, openApi: () => openApi };

  const { app, finish } = createHttpApp({
    logger: deps.logger,
    serviceName: 'auth',
    keepRawBody: true,
    // Sync workers ask for credentials before every sync: their successful answers log at debug.
    quietRequestLog: (req) => req.url?.startsWith('/internal/') === true,
    ...(deps.bodyLimit ? { bodyLimit: deps.bodyLimit } : {}),
    ...(deps.readiness ? { readiness: deps.readiness } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });

  // Behind a load balancer the client is the forwarded address, for the rate limit and the logs.
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  const perMinute = deps.rateLimitPerMinute === undefined ? 600 : deps.rateLimitPerMinute;
  const limiter: RequestHandler | undefined =
    perMinute === null
      ? undefined
      : rateLimit({
          windowMs: 60_000,
          limit: perMinute,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          handler: (_req, _res, next) =>
            next(problems.tooMany('Request rate limit of the public API exceeded; retry later')),
        });
  const authenticate = requireCaller(deps.verifyToken);
  // Bodies of media types the shared parsers skip (webhooks only): kept raw, within the limit.
  const raw = express.raw({ type: () => true, limit: deps.bodyLimit ?? '64kb' });

  for (const { spec, handler } of modules) {
    const chain: RequestHandler[] = [];
    if (spec.rateLimited && limiter) chain.push(limiter);
    if (spec.tags.includes('webhooks')) chain.push(raw);
    if (spec.auth !== 'none') chain.push(authenticate);
    chain.push(handler(routeDeps));
    app[spec.method](spec.path, ...chain);
  }
  app.use('/v1/webhooks/:partner', webhookBodyErrors(routeDeps));
  finish();
  return { app, ctx, openApi, routes };
}
