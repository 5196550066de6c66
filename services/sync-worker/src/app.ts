import {
  createHttpApp,
  type Db,
  type Logger,
  parseOr400,
  problems,
  type ReadinessCheck,
} from '@healthsync/platform';
import { Counter, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { serviceCallerCheck } from './http/service-auth.js';
import { findConnection } from './repositories/connections.repository.js';
import { itemSummary } from './repositories/sync-items.repository.js';
import { recentSyncs, type SyncLogRow } from './repositories/sync-log.repository.js';
import type { SyncResult } from './sync-task.js';

export interface WorkerMetrics {
  observe(result: SyncResult, ms: number): void;
}

export function workerMetrics(registry: Registry, partner: string): WorkerMetrics {
  const syncs = new Counter({
    name: 'healthsync_syncs_total',
    help: 'Syncs by outcome',
    labelNames: ['partner', 'outcome'],
    registers: [registry],
  });
  const items = new Counter({
    name: 'healthsync_sync_items_total',
    help: 'Items moved by direction',
    labelNames: ['partner', 'direction'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'healthsync_sync_duration_seconds',
    help: 'Duration of one sync task',
    labelNames: ['partner'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    observe(result, ms) {
      syncs.inc({ partner, outcome: result.outcome });
      items.inc({ partner, direction: 'pushed' }, result.pushed);
      items.inc({ partner, direction: 'polled' }, result.polledNew);
      items.inc({ partner, direction: 'rejected' }, result.rejected);
      duration.observe({ partner }, ms / 1000);
    },
  };
}

type App = ReturnType<typeof createHttpApp>['app'];

/** Plain-language answers to "why does this user get no data from this partner?". */
export function diagnose(
  partner: string,
  connection: Awaited<ReturnType<typeof findConnection>>,
  syncs: readonly SyncLogRow[],
  items: Awaited<ReturnType<typeof itemSummary>>,
): string[] {
  const out: string[] = [];
  if (!connection || connection.status === 'unknown')
    out.push(`this ${partner} worker has no connection for the user`);
  else if (connection.status !== 'connected')
    out.push(`the connection is ${connection.status.replace('_', ' ')}`);
  else if (connection.poll_kinds.length === 0) out.push(`the user polls nothing from ${partner}`);
  if (connection && connection.status !== 'unknown' && !connection.last_finished_at && syncs.length === 0)
    out.push('no sync has run yet (is the scheduler dispatching?)');
  if (connection && connection.quiet_syncs > 0)
    out.push(`the last ${connection.quiet_syncs} sync(s) found nothing new at ${partner} and met no problem`);
  const last = syncs[0];
  if (last) {
    if (last.error_code && connection?.last_outcome !== 'ok')
      out.push(
        `the last sync (${last.outcome}) failed with ${last.error_code}: ${last.error_message ?? ''}`.trim(),
      );
    const rejected = syncs.reduce((n, s) => n + s.rejected.length, 0);
    if (rejected > 0)
      out.push(
        `${rejected} item(s) from ${partner} were rejected in the last ${syncs.length} sync(s); see rejected[].reason`,
      );
  }
  const parked = items.counts.parked ?? 0;
  if (parked > 0)
    out.push(`${parked} push(es) are parked after repeated failures (replay-parked puts them back)`);
  return out;
}

/**
 * The worker's HTTP surface: health, metrics, and what an operator reads to answer "why does user
 * U get no data from P?" (`GET /v1/sync-log/{userId}`): the connection as this worker sees it,
 * the newest syncs with their rejections and push failures, item counts and a diagnosis. Behind a
 * service-role JWT, like the scheduler's admin API.
 */
export function createWorkerApp(options: {
  db: Db;
  logger: Logger;
  partner: string;
  /** Secret of the service-role JWTs that may read the sync log (`AUTH_JWT_SECRET`). */
  jwtSecret: string;
  readiness: readonly ReadinessCheck[];
}): { app: App; metrics: Registry } {
  const checkCaller = serviceCallerCheck(options.jwtSecret);
  const { app, metrics, finish } = createHttpApp({
    logger: options.logger,
    serviceName: `sync-worker.${options.partner}`,
    readiness: options.readiness,
  });
  app.get('/v1/sync-log/:userId', async (req, res) => {
    await checkCaller(req.get('authorization'));
    const { userId } = parseOr400(z.object({ userId: z.string().min(1).max(128) }), req.params, 'path');
    const { limit } = parseOr400(
      z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
      req.query,
      'query',
    );
    const [connection, syncs, items] = await Promise.all([
      findConnection(options.db, options.partner, userId),
      recentSyncs(options.db, options.partner, userId, limit),
      itemSummary(options.db, options.partner, userId),
    ]);
    if (!connection && syncs.length === 0)
      throw problems.notFound(`${options.partner} has no connection and no sync recorded for user ${userId}`);
    res.json({
      partner: options.partner,
      userId,
      connection: connection
        ? {
            status: connection.status,
            externalUserId: connection.external_user_id,
            generation: connection.generation,
            pollKinds: connection.poll_kinds,
            pushKinds: connection.push_kinds,
            fence: connection.fence,
            lastSyncAt: connection.last_sync_at?.toISOString() ?? null,
            lastOutcome: connection.last_outcome,
            lastFinishedAt: connection.last_finished_at?.toISOString() ?? null,
            quietSyncs: connection.quiet_syncs,
          }
        : null,
      diagnosis: diagnose(options.partner, connection, syncs, items),
      items,
      syncs: syncs.map((s) => ({
        fence: s.fence,
        reasons: s.reasons,
        outcome: s.outcome,
        pushed: s.pushed,
        polledNew: s.polled_new,
        rejected: s.rejected,
        pushFailures: s.push_failures,
        error: s.error_code ? { code: s.error_code, message: s.error_message } : null,
        startedAt: s.started_at.toISOString(),
        finishedAt: s.finished_at.toISOString(),
      })),
    });
  });
  finish();
  return { app, metrics };
}
