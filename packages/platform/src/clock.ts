/** Time comes from a clock, so tests can move it (three weeks pass in seconds). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
