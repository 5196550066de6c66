import { HttpProblem } from '@healthsync/platform';
import type { AuthContext } from '../context.js';
import { listIdle, readCredential } from '../repositories/credentials.repository.js';
import { deleteExpiredPending } from '../repositories/pending-authorizations.repository.js';
import { refreshCredentials } from './credentials.js';

export interface SweepStats {
  checked: number;
  refreshed: number;
  failed: number;
  /** Expired pending authorizations deleted. */
  expiredPending: number;
}

/**
 * Keep idle connections alive where the partner expires refresh tokens (Withings: one year):
 * every refreshable credential not refreshed for `idleRefreshAfterMs` is refreshed now, through the
 * same single-flight path as the credentials API (so it never races a sync worker). Also deletes
 * expired pending authorizations. Failures are classified and counted like any refresh.
 */
export async function sweepIdle(
  ctx: AuthContext,
  options: { batchSize?: number; concurrency?: number } = {},
): Promise<SweepStats> {
  const batchSize = options.batchSize ?? 200;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const stats: SweepStats = { checked: 0, refreshed: 0, failed: 0, expiredPending: 0 };
  const log = ctx.logger.child({ component: 'refresh-sweep' });
  for (;;) {
    const n = await deleteExpiredPending(ctx.db, ctx.clock.now());
    stats.expiredPending += n;
    if (n < 5_000) break;
  }
  const before = new Date(ctx.clock.now().getTime() - ctx.settings.idleRefreshAfterMs);
  let after: { refreshedAt: Date; userId: string; partner: string } | undefined;
  for (;;) {
    const page = await listIdle(ctx.db, before, after, batchSize);
    for (let i = 0; i < page.length; i += concurrency) {
      await Promise.all(
        page.slice(i, i + concurrency).map(async (item) => {
          stats.checked++;
          try {
            const row = await readCredential(ctx.db, item.user_id, item.partner);
            if (row?.status !== 'connected' || row.refreshed_at.getTime() >= before.getTime()) return;
            await refreshCredentials(ctx, row, 'idle');
            stats.refreshed++;
          } catch (e) {
            stats.failed++;
            if (!(e instanceof HttpProblem))
              log.error(
                { err: e instanceof Error ? e.message : String(e), partner: item.partner },
                'idle refresh failed',
              );
          }
        }),
      );
    }
    const last = page[page.length - 1];
    if (!last || page.length < batchSize) break;
    after = { refreshedAt: last.refreshed_at, userId: last.user_id, partner: last.partner };
  }
  log.info({ ...stats }, 'idle refresh sweep finished');
  return stats;
}
