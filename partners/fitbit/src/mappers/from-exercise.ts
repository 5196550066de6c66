import type { Exercise } from '@healthsync/partner-kit';
import { type Mapped, wallClock } from './mapped.js';

/**
 * Log Activity parameters for a custom activity (`activityName` + `manualCalories`), in the user's
 * local time and metric units (distance in km: we send no Accept-Language).
 */
export function fromExercise(e: Exercise): Mapped<Readonly<Record<string, string>>> {
  const calories = e.calories ?? ((e.caloriesPerHour ?? 0) * e.durationSeconds) / 3600;
  if (e.calories === undefined && e.caloriesPerHour === undefined)
    return { ok: false, reason: 'exercise needs calories or calories per hour' };
  const { date, time } = wallClock(e.startedAt, e.utcOffsetMinutes);
  return {
    ok: true,
    value: {
      activityName: e.name,
      manualCalories: String(Math.round(calories)),
      startTime: time,
      durationMillis: String(e.durationSeconds * 1000),
      date,
      ...(e.distanceMeters === undefined ? {} : { distance: (e.distanceMeters / 1000).toFixed(3) }),
    },
  };
}
