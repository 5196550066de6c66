import type { Db } from '@healthsync/platform';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HandleResult } from './handlers/index.js';
import { groupCounts } from './repositories/schedule.repository.js';
import type { TickResult } from './scheduler.js';

export interface SchedulerMetrics {
  observeTick(result: TickResult, durationMs: number): void;
  observeEvent(type: string, result: HandleResult | 'failed'): void;
}

/**
 * Prometheus metrics: dispatch counters and tick latency, events by outcome, and connections per
 * partner, status and group (a grouped count, cached for `groupsTtlMs` so scrapes stay cheap).
 */
export function schedulerMetrics(registry: Registry, db: Db, groupsTtlMs = 30_000): SchedulerMetrics {
  const dispatched = new Counter({
    name: 'scheduler_dispatched_total',
    help: 'sync.due written to the outbox',
    labelNames: ['partner'],
    registers: [registry],
  });
  const ticks = new Counter({ name: 'scheduler_ticks_total', help: 'Dispatch ticks', registers: [registry] });
  const tickSeconds = new Histogram({
    name: 'scheduler_tick_duration_seconds',
    help: 'Duration of one dispatch tick (one statement)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const capped = new Counter({
    name: 'scheduler_saturated_ticks_total',
    help: 'Ticks in which a partner used its whole per-tick cap',
    labelNames: ['partner'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'scheduler_events_total',
    help: 'Consumed events by type and result',
    labelNames: ['type', 'result'],
    registers: [registry],
  });
  let cache: { at: number; rows: Awaited<ReturnType<typeof groupCounts>> } | undefined;
  new Gauge({
    name: 'scheduler_group_connections',
    help: 'Connections per partner, status and activity group (minutes between polls)',
    labelNames: ['partner', 'status', 'group'],
    registers: [registry],
    async collect() {
      if (!cache || Date.now() - cache.at > groupsTtlMs)
        cache = { at: Date.now(), rows: await groupCounts(db) };
      this.reset();
      for (const r of cache.rows)
        this.set({ partner: r.partner, status: r.status, group: String(r.group) }, r.connections);
    },
  });
  return {
    observeTick(result, durationMs) {
      ticks.inc();
      tickSeconds.observe(durationMs / 1000);
      for (const [partner, n] of Object.entries(result.claimed)) dispatched.inc({ partner }, n);
      for (const partner of result.saturated) capped.inc({ partner });
    },
    observeEvent(type, result) {
      const outcome =
        result === 'failed'
          ? 'failed'
          : result.duplicate
            ? 'duplicate'
            : result.stale
              ? 'stale'
              : result.changed > 0
                ? 'applied'
                : 'unchanged';
      events.inc({ type, result: outcome });
    },
  };
}
