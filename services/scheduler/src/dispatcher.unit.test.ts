import { describe, expect, it } from 'vitest';
import { nextTickCap, relayWaker, type TickResult } from './scheduler.js';

const result = (dispatched: number, saturated: string[] = []): TickResult => ({
  at: new Date(0),
  dispatched,
  saturated,
  claimed: {},
  caps: {},
});

describe('tick cap', () => {
  it('shrinks in proportion when a tick takes longer than the target, never below a fifth of the maximum', () => {
    expect(nextTickCap(50, 50, 100, 25, true)).toBe(12);
    expect(nextTickCap(12, 50, 1000, 25, true)).toBe(10);
    expect(nextTickCap(3, 3, 1000, 25, true)).toBe(1);
  });

  it('grows by a quarter up to the maximum only when a fast tick filled its cap', () => {
    expect(nextTickCap(12, 50, 5, 25, true)).toBe(15);
    expect(nextTickCap(48, 50, 5, 25, true)).toBe(50);
    expect(nextTickCap(12, 50, 5, 25, false)).toBe(12);
    expect(nextTickCap(12, 50, 20, 25, true)).toBe(12);
  });
});

describe('relay waker', () => {
  it('wakes the relay per batch of rows during a backlog and when the backlog is done', () => {
    let wakes = 0;
    const onTick = relayWaker(() => wakes++, 1000);
    for (let i = 0; i < 9; i++) onTick(result(300, ['acme']));
    // 2,700 rows in saturated ticks: woken after 1,200 and 2,400.
    expect(wakes).toBe(2);
    onTick(result(10));
    expect(wakes).toBe(3);
    onTick(result(0));
    expect(wakes).toBe(3);
  });
});
