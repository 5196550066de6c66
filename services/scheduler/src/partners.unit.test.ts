import { describe, expect, it } from 'vitest';
import { appBudget, partnerSchedule } from './partners.js';
import { testDeclaration } from './test-support.js';

describe('partner rate limits as dispatch limits', () => {
  it('turns an app limit into a token bucket that never lets more than the limit through in a window', () => {
    const b = appBudget(120, 60_000, 2, 1000);
    expect(b.capacity).toBe(4);
    // Burst C plus the refill over one window is exactly the limit.
    expect(b.capacity + b.refillPerMs * 60_000).toBeCloseTo(120, 9);
  });

  it('turns a per-user limit into a minimum gap between syncs of a connection', () => {
    const fitbitLike = testDeclaration('fitlike', {
      pollKinds: ['measurement', 'exercise', 'food'],
      rateLimits: [{ scope: 'user', limit: 150, windowSeconds: 3600, alignment: 'fixed' }],
      webhooks: true,
    });
    const s = partnerSchedule(fitbitLike, { tickMs: 1000, maxPerTick: 500 });
    expect(s).toMatchObject({
      requestsPerSync: 3,
      minGapMs: 72_000,
      appBudgets: [],
      webhooks: true,
      maxPerTick: 500,
    });
  });

  it('keeps every app limit of a partner (per minute and per hour)', () => {
    const movesLike = testDeclaration('moveslike', {
      rateLimits: [
        { scope: 'app', limit: 60, windowSeconds: 60, alignment: 'fixed' },
        { scope: 'app', limit: 2000, windowSeconds: 3600, alignment: 'fixed' },
      ],
    });
    const s = partnerSchedule(movesLike, { tickMs: 1000, maxPerTick: 500 });
    expect(s.appBudgets.map((b) => b.key)).toEqual(['app:60/60s', 'app:2000/3600s']);
  });
});
