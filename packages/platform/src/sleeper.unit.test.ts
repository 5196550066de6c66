import { describe, expect, it } from 'vitest';
import { createSleeper } from './sleeper.js';

describe('createSleeper', () => {
  it('ends a sleep after its time', async () => {
    const sleeper = createSleeper();
    const started = performance.now();
    await sleeper.sleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(sleeper.wakeAll()).toBe(0);
  });

  it('wakes every pending sleep at once and counts them', async () => {
    const sleeper = createSleeper();
    const started = performance.now();
    const sleeps = [sleeper.sleep(60_000), sleeper.sleep(60_000)];
    expect(sleeper.wakeAll()).toBe(2);
    await Promise.all(sleeps);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Woken sleeps are gone: a second wake finds none.
    expect(sleeper.wakeAll()).toBe(0);
  });
});
