import { describe, expect, it } from 'vitest';
import { bucketSpecs, createMemoryRateBudget } from './rate-budget.js';

describe('rate budget buckets', () => {
  it('a fixed window is one slot; a rolling window k slots plus the current one', () => {
    expect(
      bucketSpecs([
        { scope: 'user', limit: 150, windowSeconds: 3600, alignment: 'fixed' },
        { scope: 'app', limit: 120, windowSeconds: 60 },
      ]),
    ).toEqual([
      { bucket: 'user:150/3600s:fixed', scope: 'user', limit: 150, slotMs: 3_600_000, slots: 1 },
      { bucket: 'app:120/60s:rolling', scope: 'app', limit: 120, slotMs: 6000, slots: 11 },
    ]);
    expect(() => bucketSpecs([{ scope: 'app', limit: 0, windowSeconds: 60 }])).toThrow(RangeError);
  });
});

describe('in-memory rate budget', () => {
  it('enforces app and user limits together and says when to retry', async () => {
    let now = Date.parse('2026-01-01T10:59:30Z');
    const budget = createMemoryRateBudget({
      partner: 'p',
      now: () => now,
      limits: [
        { scope: 'app', limit: 3, windowSeconds: 3600, alignment: 'fixed' },
        { scope: 'user', limit: 2, windowSeconds: 3600, alignment: 'fixed' },
      ],
    });
    expect((await budget.tryTake('a')).allowed).toBe(true);
    expect((await budget.tryTake('a')).allowed).toBe(true);
    const userFull = await budget.tryTake('a');
    expect(userFull).toEqual({ allowed: false, retryAt: new Date('2026-01-01T11:00:00Z') });
    expect((await budget.tryTake('b')).allowed).toBe(true);
    expect((await budget.tryTake('c')).allowed).toBe(false);
    now += 30_000;
    expect((await budget.tryTake('c')).allowed).toBe(true);
  });

  it('a rolling window never allows more than the limit in any window', async () => {
    let now = 0;
    const budget = createMemoryRateBudget({
      partner: 'p',
      now: () => now,
      limits: [{ scope: 'app', limit: 10, windowSeconds: 60 }],
    });
    const granted: number[] = [];
    for (now = 0; now < 300_000; now += 700) if ((await budget.tryTake('x')).allowed) granted.push(now);
    for (const start of granted)
      expect(granted.filter((g) => g >= start && g < start + 60_000).length).toBeLessThanOrEqual(10);
    // Throughput stays close to the limit: at least k/(k+1) of 10 per minute over 5 minutes.
    expect(granted.length).toBeGreaterThanOrEqual(45);
  });
});
