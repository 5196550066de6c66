import { describe, expect, it } from 'vitest';
import { activityHoursPolicy, hoursOf } from './activity-hours.policy.js';

const policy = activityHoursPolicy();
const day = (d: number, hour: number) => new Date(Date.UTC(2026, 0, d, hour, 0, 0));

describe('activity-hours policy', () => {
  it('behaves like the seed groups until it has seen enough data', () => {
    const s = policy.initial(day(1, 8));
    expect(s.group).toBe(5);
    expect(policy.pollIntervalMs(s, day(1, 8))).toBe(5 * 60_000);
  });

  it('learns the hours in which polls find data and polls faster then, slower in quiet hours', () => {
    let s = policy.initial(day(1, 7));
    for (let d = 1; d <= 8; d++) {
      const at = day(d, 7);
      s = policy.afterSync(s, { at, startedAt: at, polledNew: 1, pushed: 0 });
    }
    expect(hoursOf(s)[7]).toBe(8);
    // The next poll would fall at 07:05: a busy hour.
    expect(policy.pollIntervalMs(s, day(9, 7))).toBe(150_000);
    // 02:00 has never seen data, nor its neighbours: three times the group interval.
    expect(policy.pollIntervalMs(s, day(9, 2))).toBe(15 * 60_000);
    // The group rules still apply: data keeps it in 5.
    expect(s.group).toBe(5);
  });

  it('decays old observations so habits can change', () => {
    let s = policy.initial(day(1, 0));
    for (let i = 0; i < 60; i++) {
      const at = new Date(day(1, 6).getTime() + i * 3600_000 * 24);
      s = policy.afterSync(s, { at, startedAt: at, polledNew: 2, pushed: 0 });
    }
    expect(hoursOf(s).reduce((a, b) => a + b, 0)).toBeLessThan(48);
  });
});
