import { fileURLToPath } from 'node:url';
import type { Envelope } from '@healthsync/contracts';
import { type Db, withTransaction } from '@healthsync/platform';
import { ManualClock, ServiceProcess, type TestDatabase } from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumedEnvelope, handleEvent } from '../handlers/index.js';
import { syncDispatchBudgets } from '../repositories/dispatch-budget.repository.js';
import { recordPolicy } from '../repositories/policy-history.repository.js';
import { createSchedulerContext, tick } from '../scheduler.js';
import {
  completed,
  connected,
  event,
  outboxDue,
  schedulerTestDatabase,
  testDeclaration,
} from '../test-support.js';
import { formatReplay, replay } from './replay.js';

let tdb: TestDatabase;
let db: Db;
const clock = new ManualClock('2026-06-01T00:00:00.000Z');
const ctx = createSchedulerContext({
  declarations: [testDeclaration('withings'), testDeclaration('fitbit', { webhooks: true })],
  maxPerTick: 100,
});
const apply = (e: Envelope) => withTransaction(db, (trx) => handleEvent(trx, e as ConsumedEnvelope, ctx));
const HOUR = 3600_000;

beforeAll(async () => {
  tdb = await schedulerTestDatabase();
  db = tdb.db;
  await syncDispatchBudgets(db, ctx.partners.values(), clock.now());
  await recordPolicy(db, ctx.policy.name, ctx.policy.config, clock.now());
});
afterAll(() => tdb.drop());

describe('replay', () => {
  it('reports the recorded history and the policies simulated on it', async () => {
    // Ground truth: when new data reaches each partner account (the worker finds it by polling).
    const users = ['a', 'b', 'c'];
    const truth = new Map<string, number[]>();
    const start = clock.now().getTime();
    for (const [i, u] of users.entries()) {
      truth.set(
        `withings:${u}`,
        [1, 4, 7, 10].map((h) => start + h * HOUR + i * 600_000 + 17_000),
      );
      truth.set(
        `fitbit:${u}`,
        [2, 8].map((h) => start + h * HOUR + i * 600_000 + 29_000),
      );
    }
    for (const u of users) {
      await apply(connected('withings', u, clock.now()));
      await apply(connected('fitbit', u, clock.now()));
    }
    const lastPoll = new Map<string, number>();
    let seen = 0;
    for (let step = 0; step < 12 * 60; step++) {
      const now = clock.now().getTime();
      // The webhook partner announces its data.
      for (const u of users) {
        for (const t of truth.get(`fitbit:${u}`)!) {
          if (t > now - 60_000 && t <= now)
            await apply(
              event('partner.notified', { userId: u, partner: 'fitbit', kinds: ['exercise'] }, new Date(t))
                .envelope,
            );
        }
      }
      await tick(db, clock, ctx);
      const dues = await outboxDue(db, seen);
      seen += dues.length;
      for (const due of dues) {
        const k = `${due.partner}:${due.userId}`;
        const since = lastPoll.get(k) ?? Number.POSITIVE_INFINITY;
        const found = (truth.get(k) ?? []).filter((t) => t > since && t <= now).length;
        lastPoll.set(k, now);
        await apply(completed(due, new Date(now), { polledNew: found }));
      }
      clock.advance(60_000);
    }

    const report = await replay(db, {
      policies: [ctx.policy, createSchedulerContext({ declarations: [], policy: 'activity-hours' }).policy],
      ctx,
    });
    expect(report).toMatchObject({ connections: 6, recordedPolicies: ['seed-groups'] });
    const [observed, seed, hours] = report.figures;
    expect(observed).toMatchObject({
      kind: 'observed',
      label: 'seed-groups (recorded)',
      detections: 3 * 4 + 3 * 2,
    });
    expect(seed).toMatchObject({ kind: 'simulated', policy: 'seed-groups', detections: 18, undetected: 0 });
    expect(hours?.policy).toBe('activity-hours');
    // The model reproduces what happened (within a few polls and a minute).
    expect(Math.abs(seed!.polls - observed!.polls) / observed!.polls).toBeLessThan(0.05);
    expect(Math.abs(seed!.delayMeanMs - observed!.delayMeanMs)).toBeLessThan(60_000);
    // Polling every 5 minutes finds withings data within 5 minutes; fitbit's webhooks within the debounce.
    expect(observed!.delayP99Ms).toBeLessThanOrEqual(5 * 60_000 + 2000);
    expect(observed!.wastedShare).toBeGreaterThan(0.8);
    expect(formatReplay(report)).toMatch(/seed-groups \(recorded\)\s+observed/);
  });

  it('runs as a command', async () => {
    const cli = fileURLToPath(new URL('../cli/replay.ts', import.meta.url));
    const run = new ServiceProcess(
      'replay',
      cli,
      { ...process.env, DATABASE_URL: tdb.url, LOG_LEVEL: 'warn' },
      { args: ['--policy', 'activity-hours'] },
    );
    const code = await run.exited;
    const out = run.output();
    expect(code, out).toBe(0);
    expect(out).toMatch(/6 connections/);
    expect(out).toMatch(/activity-hours\s+simulated/);
  });
});
