import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_CONFIG } from '../config.js';
import { partnerSchedules } from '../partners.js';
import { activityHoursPolicy } from '../policy/activity-hours.policy.js';
import { seedGroupsPolicy } from '../policy/seed-groups.policy.js';
import { testDeclaration } from '../test-support.js';
import { estimateArrivals, observedFigures, simulatePolicy } from './evaluate.js';
import type { ConnectionHistory, History, RecordedSync } from './history.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const start = Date.UTC(2026, 0, 5, 0, 0, 0);
const ctx = {
  config: DEFAULT_SCHEDULE_CONFIG,
  partners: partnerSchedules([testDeclaration('acme'), testDeclaration('hooky', { webhooks: true })], {
    tickMs: 1000,
    maxPerTick: 100,
  }),
};

/** A connection polled every 5 minutes for `days`, with new data at 08:00:30 every day. */
function recordedEveryFive(partner: string, userId: string, days: number): ConnectionHistory {
  const data = Array.from({ length: days }, (_, d) => start + d * DAY + 8 * 60 * MIN + 30_000);
  const syncs: RecordedSync[] = [];
  let prev = start;
  for (let t = start; t < start + days * DAY; t += 5 * MIN) {
    const found = data.filter((x) => x > prev && x <= t).length;
    syncs.push({
      startedAt: t,
      finishedAt: t + 1000,
      reasons: ['poll'],
      polledNew: found,
      pushed: 0,
      outcome: 'ok',
    });
    prev = t;
  }
  return { partner, userId, periods: [{ from: start, to: null }], notifications: [], syncs };
}

const historyOf = (connections: ConnectionHistory[], days: number): History => ({
  connections,
  start,
  end: start + days * DAY,
  completions: connections.reduce((n, c) => n + c.syncs.length, 0),
});

describe('replaying policies on recorded history', () => {
  it('estimates when data arrived from the polls around it, leaving out the backfill', () => {
    const h = recordedEveryFive('acme', 'u1', 2);
    const arrivals = estimateArrivals(h, start + 2 * DAY);
    expect(arrivals).toHaveLength(2);
    // Found by the 08:05 poll; the previous one finished at 08:00:01.
    expect(arrivals[0]!.foundAt).toBe(start + 8 * 60 * MIN + 5 * MIN + 1000);
    expect(arrivals[0]!.at).toBe((start + 8 * 60 * MIN + 1000 + start + 8 * 60 * MIN + 5 * MIN) / 2);
  });

  it('reports the recorded schedule: polls per connection per day, wasted polls, detection delay', () => {
    const history = historyOf([recordedEveryFive('acme', 'u1', 7), recordedEveryFive('acme', 'u2', 7)], 7);
    const f = observedFigures(history, 'seed-groups');
    expect(f.pollsPerConnectionDay).toBeCloseTo(288, 0);
    // Every poll but the one that found the day's data, and the backfill of each connection.
    expect(f.wasted).toBe(f.polls - 2 * 7 - 2);
    expect(f.detections).toBe(2 * 7);
    expect(f.delayMeanMs).toBe(2.5 * MIN + 500);
  });

  it('reproduces the recorded figures when it simulates the recorded policy', () => {
    const history = historyOf([recordedEveryFive('acme', 'u1', 7)], 7);
    const observed = observedFigures(history, 'seed-groups');
    const simulated = simulatePolicy(history, seedGroupsPolicy(), ctx);
    expect(Math.abs(simulated.pollsPerConnectionDay - observed.pollsPerConnectionDay)).toBeLessThan(2);
    expect(simulated.detections).toBe(observed.detections);
    expect(Math.abs(simulated.delayMeanMs - observed.delayMeanMs)).toBeLessThan(MIN);
  });

  it('shows what a time-of-day policy saves on a user who is active at the same hour every day', () => {
    const history = historyOf([recordedEveryFive('acme', 'u1', 21)], 21);
    const seed = simulatePolicy(history, seedGroupsPolicy(), ctx);
    const hours = simulatePolicy(history, activityHoursPolicy(), ctx);
    expect(hours.pollsPerConnectionDay).toBeLessThan(seed.pollsPerConnectionDay * 0.6);
    expect(hours.delayMeanMs).toBeLessThanOrEqual(seed.delayMeanMs);
    expect(hours.undetected).toBe(0);
  });

  it('lets notifications of a webhook partner replace regular polls, and falls back when they stop', () => {
    const h = recordedEveryFive('hooky', 'u1', 3);
    const notifications = [0, 1, 2].map((d) => start + d * DAY + 8 * 60 * MIN + 30_000);
    const history = historyOf([{ ...h, notifications }], 3);
    const f = simulatePolicy(history, seedGroupsPolicy(), ctx);
    // Each day's data is found by the poll that answers its notification, after the debounce...
    expect(f.detections).toBe(3);
    expect(f.delayP99Ms).toBeLessThanOrEqual(3 * MIN);
    // ...and six quiet hours after each, polling every 5 minutes resumes: fewer polls than 288/day.
    expect(f.pollsPerConnectionDay).toBeLessThan(288);
    expect(f.pollsPerConnectionDay).toBeGreaterThan(200);
  });
});
