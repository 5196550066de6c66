/**
 * Timed sleeps that can be cut short: a background loop sleeps between rounds, and `wakeAll()`
 * (new work, or a stop) ends every pending sleep at once.
 */
export interface Sleeper {
  /** Resolves after `ms`, or sooner when `wakeAll()` is called. */
  sleep(ms: number): Promise<void>;
  /** Ends every pending sleep; answers how many there were. */
  wakeAll(): number;
}

export function createSleeper(): Sleeper {
  const sleeping = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          sleeping.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleeping.add(done);
      }),
    wakeAll() {
      const woken = [...sleeping];
      for (const done of woken) done();
      return woken.length;
    },
  };
}
