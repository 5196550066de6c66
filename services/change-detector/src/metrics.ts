import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchReport, DetectResult } from './detector.js';

export interface DetectorMetrics {
  batch(report: BatchReport): void;
  run(result: DetectResult): void;
  failure(): void;
}

export function detectorMetrics(registry: Registry): DetectorMetrics {
  const registers = [registry];
  const emitted = new Counter({
    name: 'change_detector_events_emitted_total',
    help: 'shapeup.data-changed events written to the outbox',
    labelNames: ['kind'],
    registers,
  });
  const late = new Counter({
    name: 'change_detector_late_rows_total',
    help: 'Rows found by re-reading the window: their transaction committed after the position passed their updated_at',
    labelNames: ['kind'],
    registers,
  });
  const skipped = new Counter({
    name: 'change_detector_rows_passed_over_total',
    help: 'App rows no valid event could be built for (logged with the reason)',
    labelNames: ['kind'],
    registers,
  });
  const duration = new Histogram({
    name: 'change_detector_batch_duration_seconds',
    help: 'Duration of one batch transaction',
    labelNames: ['kind'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const lag = new Gauge({
    name: 'change_detector_safe_position_lag_seconds',
    help: 'How far the safe position is behind now (grows while a long transaction holds it back)',
    labelNames: ['kind'],
    registers,
  });
  const held = new Gauge({
    name: 'change_detector_oldest_transaction_age_seconds',
    help: 'Age of the oldest transaction in flight when it held the safe position back, else 0',
    registers,
  });
  const failures = new Counter({
    name: 'change_detector_runs_failed_total',
    help: 'Runs that failed',
    registers,
  });
  return {
    batch(report) {
      emitted.inc({ kind: report.kind }, report.emitted);
      late.inc({ kind: report.kind }, report.late);
      skipped.inc({ kind: report.kind }, report.skipped);
      duration.observe({ kind: report.kind }, report.ms / 1000);
      lag.set({ kind: report.kind }, Math.max(0, (Date.now() * 1000 - Number(report.position.safeUs)) / 1e6));
    },
    run(result) {
      held.set(result.heldBy?.transactionAgeSeconds ?? 0);
    },
    failure() {
      failures.inc();
    },
  };
}
