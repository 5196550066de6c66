import { type Clock, createHttpApp, type Db, type Logger, type ReadinessCheck } from '@healthsync/platform';
import { type Express, Router } from 'express';
import type { Registry } from 'prom-client';
import { requireService, type ServiceTokenVerifier } from './http/service-auth.js';
import { type SchedulerMetrics, schedulerMetrics } from './metrics.js';
import { connectionRoute } from './routes/connection.route.js';
import { groupsRoute } from './routes/groups.route.js';
import { requestSyncRoute } from './routes/request-sync.route.js';
import type { SchedulerContext } from './scheduler.js';

export interface SchedulerAppOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly ctx: SchedulerContext;
  readonly logger: Logger;
  readonly verifyToken: ServiceTokenVerifier;
  readonly readiness?: readonly ReadinessCheck[];
}

/**
 * The scheduler's HTTP app: `/healthz`, `/readyz`, `/metrics` (platform) and the admin API behind
 * a service credential. Errors leave as problem+json.
 */
export function createSchedulerApp(options: SchedulerAppOptions): {
  app: Express;
  registry: Registry;
  metrics: SchedulerMetrics;
} {
  const {
    app,
    metrics: registry,
    finish,
  } = createHttpApp({
    logger: options.logger,
    serviceName: 'scheduler',
    ...(options.readiness ? { readiness: options.readiness } : {}),
  });
  const metrics = schedulerMetrics(registry, options.db);
  const admin = Router();
  admin.use('/admin', requireService(options.verifyToken));
  const deps = {
    db: options.db,
    clock: options.clock,
    ctx: options.ctx,
    onEvent: (type: string, result: Parameters<SchedulerMetrics['observeEvent']>[1]) =>
      metrics.observeEvent(type, result),
  };
  requestSyncRoute(admin, deps);
  groupsRoute(admin, deps);
  connectionRoute(admin, deps);
  app.use(admin);
  finish();
  return { app, registry, metrics };
}
