import { z } from 'zod';
import { groupAfterSync, groupIntervalMs, initialGroupState, settleGroup } from './groups.js';
import {
  DEFAULT_GROUP_CONFIG,
  type GroupConfig,
  type PolicyState,
  type SchedulePolicy,
  validateGroupConfig,
} from './policy.js';

/**
 * Activity groups as in the seed, shaped by time of day: each connection learns in which hours
 * (UTC) polls found new data, as a small decaying histogram kept in `policy_state`. A regular poll
 * that falls in an hour where the user is often active comes after half the group interval; one
 * that falls in a quiet stretch (no data seen in that hour or its neighbours) after three times the
 * group interval, capped at `maxIntervalMinutes`. With too little history it behaves like the seed.
 */
export interface ActivityHoursOptions {
  /** Observations needed before the histogram is trusted. */
  readonly minSamples: number;
  /** Halve every bucket once the histogram holds this many observations. */
  readonly decayAt: number;
  /** An hour is busy when it holds at least this share of the observations. */
  readonly busyShare: number;
  readonly busyFactor: number;
  readonly quietFactor: number;
  readonly maxIntervalMinutes: number;
}

export const DEFAULT_ACTIVITY_HOURS: ActivityHoursOptions = {
  minSamples: 6,
  decayAt: 48,
  busyShare: 2 / 24,
  busyFactor: 0.5,
  quietFactor: 3,
  maxIntervalMinutes: 180,
};

const HourHistogram = z.object({ hours: z.array(z.number().int().nonnegative()).length(24) });

export function hoursOf(state: PolicyState): number[] {
  const parsed = HourHistogram.safeParse(state.extra);
  return parsed.success ? [...parsed.data.hours] : new Array<number>(24).fill(0);
}

export function activityHoursPolicy(
  config: GroupConfig = DEFAULT_GROUP_CONFIG,
  options: ActivityHoursOptions = DEFAULT_ACTIVITY_HOURS,
): SchedulePolicy {
  validateGroupConfig(config);
  return {
    name: 'activity-hours',
    description: 'seed groups, polled twice as often in hours the user is active and 3x less in quiet hours',
    config,
    initial: (at) => ({ ...initialGroupState(config, at), extra: { hours: new Array<number>(24).fill(0) } }),
    settle: (state, at) => settleGroup(config, state, at),
    afterSync: (state, obs) => {
      const next = groupAfterSync(config, state, obs);
      if (obs.polledNew <= 0) return next;
      const hours = hoursOf(state);
      const h = obs.startedAt.getUTCHours();
      hours[h] = hours[h]! + 1;
      if (hours.reduce((a, b) => a + b, 0) >= options.decayAt) {
        for (let i = 0; i < 24; i++) hours[i] = Math.floor(hours[i]! / 2);
      }
      return { ...next, extra: { hours } };
    },
    pollIntervalMs: (state, at) => {
      const base = groupIntervalMs(config, state);
      const hours = hoursOf(state);
      const total = hours.reduce((a, b) => a + b, 0);
      if (total < options.minSamples) return base;
      const h = new Date(at.getTime() + base).getUTCHours();
      const count = (i: number) => hours[(i + 24) % 24]!;
      if (count(h) / total >= options.busyShare) return Math.round(base * options.busyFactor);
      if (count(h) === 0 && count(h - 1) === 0 && count(h + 1) === 0) {
        return Math.min(base * options.quietFactor, options.maxIntervalMinutes * config.minuteMs);
      }
      return base;
    },
  };
}
