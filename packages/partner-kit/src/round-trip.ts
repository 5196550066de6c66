import type { Container } from './containers.js';
import { localParts, toEpochSeconds } from './units.js';
import { dateFields } from './validate.js';

/** How far a partner's copy of what we sent may differ from it (its rounding, its own estimates). */
export interface RoundTripTolerance {
  /** Measurement value (in the metric unit). Default 0.05. */
  value?: number;
  /** Dates, in seconds. Default 60. */
  seconds?: number;
  /** Calories. Default 1. */
  calories?: number;
  /** Distance as a fraction. Default 0.01. */
  distance?: number;
}

const DEFAULTS = { value: 0.05, seconds: 60, calories: 1, distance: 0.01 } as const;

const dateOf = (c: Container) =>
  c.kind === 'measurement' ? c.measuredAt : c.kind === 'exercise' ? c.startedAt : c.consumedAt;

/** The wall clock of an ISO date-time, as if it were UTC (epoch seconds). */
const wallClock = (iso: string) => {
  const { date, time } = localParts(iso);
  return toEpochSeconds(`${date}T${time}Z`);
};

/** Differences between what we pushed and what came back, within tolerances; [] when equal. */
export function roundTripDifferences(
  sent: Container,
  back: Container,
  tolerance: RoundTripTolerance = {},
): string[] {
  const diffs: string[] = [];
  const tol = { ...DEFAULTS, ...tolerance };
  const near = (name: string, a: number | undefined, b: number | undefined, within: number) => {
    if (a === undefined) return;
    if (b === undefined || Math.abs(a - b) > within) diffs.push(`${name}: sent ${a}, got ${b}`);
  };
  if (sent.kind !== back.kind) return [`kind: sent ${sent.kind}, got ${back.kind}`];
  near('time (s)', toEpochSeconds(dateOf(sent)), toEpochSeconds(dateOf(back)), tol.seconds);
  if (sent.kind === 'measurement' && back.kind === 'measurement') {
    if (sent.type !== back.type) diffs.push(`type: sent ${sent.type}, got ${back.type}`);
    near('value', sent.value, back.value, tol.value);
  }
  if (sent.kind === 'exercise' && back.kind === 'exercise') {
    near('duration (s)', sent.durationSeconds, back.durationSeconds, tol.seconds);
    near('calories', sent.calories, back.calories, tol.calories);
    if (sent.distanceMeters !== undefined)
      near('distance (m)', sent.distanceMeters, back.distanceMeters, sent.distanceMeters * tol.distance + 1);
  }
  if (sent.kind === 'food' && back.kind === 'food')
    near('calories', sent.calories, back.calories, tol.calories);
  return diffs;
}

/**
 * Whether a partner item is our item as the partner keeps it: equal within `tolerance`, its date
 * the same moment or, for partners that keep only the wall clock (no zone: the copy reads back at
 * another offset), the same wall clock. Finds the partner's copy of a create whose answer was lost.
 */
export function sameItem(sent: Container, back: Container, tolerance: RoundTripTolerance = {}): boolean {
  if (roundTripDifferences(sent, back, tolerance).length === 0) return true;
  const seconds = tolerance.seconds ?? DEFAULTS.seconds;
  if (Math.abs(wallClock(dateOf(sent)) - wallClock(dateOf(back))) > seconds) return false;
  // Same wall clock: compare the rest with the date taken as equal.
  const sameDate = {
    ...back,
    ...dateFields(back.kind, { iso: dateOf(sent), utcOffsetMinutes: sent.utcOffsetMinutes }),
  };
  return roundTripDifferences(sent, sameDate as Container, tolerance).length === 0;
}
