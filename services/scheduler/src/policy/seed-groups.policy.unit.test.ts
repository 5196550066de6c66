import { describe, expect, it } from 'vitest';
import { DAY_MS, type PolicyState } from './policy.js';
import { seedGroupsPolicy } from './seed-groups.policy.js';

const policy = seedGroupsPolicy();
const WEEKS3 = 21 * DAY_MS;
const t0 = new Date('2026-01-05T10:00:00.000Z');
const plus = (ms: number) => new Date(t0.getTime() + ms);
const sync = (at: Date, polledNew = 0, pushed = 0) => ({ at, startedAt: at, polledNew, pushed });

describe('seed group policy', () => {
  it('starts every new connection in group 5, polled every 5 minutes', () => {
    const s = policy.initial(t0);
    expect(s.group).toBe(5);
    expect(s.groupSince).toEqual(t0);
    expect(policy.pollIntervalMs(s, t0)).toBe(5 * 60_000);
  });

  it('drops 5 -> 20 after exactly three weeks without data, not one millisecond earlier', () => {
    const s = policy.initial(t0);
    expect(policy.settle(s, plus(WEEKS3 - 1)).group).toBe(5);
    const after = policy.settle(s, plus(WEEKS3));
    expect(after.group).toBe(20);
    expect(after.groupSince).toEqual(plus(WEEKS3));
    expect(policy.pollIntervalMs(after, plus(WEEKS3))).toBe(20 * 60_000);
  });

  it('measures the three weeks from the last moved data', () => {
    const withData = policy.afterSync(policy.initial(t0), sync(plus(DAY_MS), 2));
    expect(policy.settle(withData, plus(DAY_MS + WEEKS3 - 1)).group).toBe(5);
    expect(policy.settle(withData, plus(DAY_MS + WEEKS3)).group).toBe(20);
  });

  it('drops 20 -> 60 three weeks after entering 20, again exactly at the boundary', () => {
    const in20 = policy.settle(policy.initial(t0), plus(WEEKS3));
    expect(policy.settle(in20, plus(2 * WEEKS3 - 1)).group).toBe(20);
    expect(policy.settle(in20, plus(2 * WEEKS3)).group).toBe(60);
    // Settling directly from 5 over six weeks gives the same exact times.
    const direct = policy.settle(policy.initial(t0), plus(2 * WEEKS3));
    expect(direct.group).toBe(60);
    expect(direct.groupSince).toEqual(plus(2 * WEEKS3));
  });

  it('keeps 60 at 60 however long nothing happens', () => {
    const in60 = policy.settle(policy.initial(t0), plus(2 * WEEKS3));
    const muchLater = policy.afterSync(in60, sync(plus(400 * DAY_MS)));
    expect(muchLater.group).toBe(60);
    expect(muchLater.groupSince).toEqual(plus(2 * WEEKS3));
    expect(policy.pollIntervalMs(muchLater, plus(400 * DAY_MS))).toBe(60 * 60_000);
  });

  it('puts a connection back in 5 on any sync that moved data, polled or pushed', () => {
    const in60 = policy.settle(policy.initial(t0), plus(2 * WEEKS3));
    const at = plus(50 * DAY_MS);
    const polled = policy.afterSync(in60, sync(at, 1, 0));
    expect(polled).toMatchObject({ group: 5, groupSince: at, lastDataAt: at });
    const pushed = policy.afterSync(policy.settle(policy.initial(t0), plus(WEEKS3)), sync(at, 0, 3));
    expect(pushed).toMatchObject({ group: 5, groupSince: at, lastDataAt: at });
  });

  it('keeps a connection in 5 at least three weeks after its last data', () => {
    let s: PolicyState = policy.initial(t0);
    s = policy.afterSync(s, sync(plus(20 * DAY_MS), 1));
    expect(s.groupSince).toEqual(t0);
    // Three weeks after the connection started, but only one day after data: still 5.
    s = policy.afterSync(s, sync(plus(WEEKS3)));
    expect(s.group).toBe(5);
    s = policy.afterSync(s, sync(plus(20 * DAY_MS + WEEKS3 - 1)));
    expect(s.group).toBe(5);
    s = policy.afterSync(s, sync(plus(20 * DAY_MS + WEEKS3)));
    expect(s.group).toBe(20);
  });

  it('does not demote a sync without data before three weeks, and leaves the state untouched', () => {
    const s = policy.initial(t0);
    const after = policy.afterSync(s, sync(plus(DAY_MS)));
    expect(after).toBe(s);
  });

  it('takes its groups and three weeks from configuration (tests and benchmarks)', () => {
    const fast = seedGroupsPolicy({ groupsMinutes: [1, 5, 20, 60], minuteMs: 1000, demoteAfterMs: 10_000 });
    const s = fast.initial(t0);
    expect(fast.pollIntervalMs(s, t0)).toBe(1000);
    expect(fast.settle(s, plus(9_999)).group).toBe(1);
    expect(fast.settle(s, plus(30_000)).group).toBe(60);
    expect(() => seedGroupsPolicy({ groupsMinutes: [20, 5], minuteMs: 60_000, demoteAfterMs: 1 })).toThrow(
      /ascending/,
    );
  });
});
