import { type Exercise, isoWithOffset, localParts } from '@healthsync/partner-kit';

/**
 * Log Activity parameters for a custom activity (`activityName` + `manualCalories`), in the user's
 * local time and metric units (distance in km: we send no Accept-Language).
 */
export function fromExercise(e: Exercise): Readonly<Record<string, string>> | { reject: string } {
  const calories =
    e.calories ??
    (e.caloriesPerHour === undefined ? undefined : (e.caloriesPerHour * e.durationSeconds) / 3600);
  if (calories === undefined) return { reject: 'exercise needs calories or calories per hour' };
  const { date, time } = localParts(isoWithOffset(new Date(e.startedAt), e.utcOffsetMinutes).iso);
  return {
    activityName: e.name,
    manualCalories: String(Math.round(calories)),
    startTime: time,
    durationMillis: String(e.durationSeconds * 1000),
    date,
    ...(e.distanceMeters === undefined ? {} : { distance: (e.distanceMeters / 1000).toFixed(3) }),
  };
}
