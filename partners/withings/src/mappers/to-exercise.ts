import { Exercise } from '@healthsync/partner-kit';
import { WithingsWorkout } from '../schemas.js';
import { localTime, type Mapped, reasonOf, reject } from './common.js';

/** Workout `category` -> the app's activity type; anything else is `other`. */
const ACTIVITY: Record<number, string> = {
  1: 'walking',
  2: 'running',
  3: 'hiking',
  6: 'cycling',
  7: 'swimming',
  16: 'weight training',
  18: 'elliptical',
  28: 'yoga',
  187: 'rowing',
  306: 'walking',
  307: 'running',
  308: 'cycling',
};

/** One `getworkouts` series item -> an exercise, or a reason. */
export function toExercise(raw: unknown): Mapped<Exercise> {
  const parsed = WithingsWorkout.safeParse(raw);
  if (!parsed.success) return reject(undefined, `malformed workout: ${reasonOf(parsed.error)}`, raw);
  const { id, category, timezone = 'UTC', startdate, enddate, modified, data } = parsed.data;
  const externalId = String(id);
  let at: ReturnType<typeof localTime>;
  try {
    at = localTime(startdate, timezone);
  } catch {
    return reject(externalId, `unknown timezone ${timezone}`, raw);
  }
  const activityType = ACTIVITY[category] ?? 'other';
  const calories = data?.calories ?? data?.manual_calories ?? undefined;
  const distanceMeters = data?.distance ?? data?.manual_distance ?? undefined;
  const result = Exercise.safeParse({
    kind: 'exercise',
    activityType,
    name: `${activityType[0]?.toUpperCase()}${activityType.slice(1)}`,
    startedAt: at.iso,
    utcOffsetMinutes: at.offsetMinutes,
    durationSeconds: enddate - startdate,
    ...(calories === undefined ? {} : { calories }),
    ...(distanceMeters === undefined ? {} : { distanceMeters }),
  });
  if (!result.success) return reject(externalId, reasonOf(result.error), raw);
  return {
    items: [{ externalId, externalVersion: String(modified ?? enddate), data: result.data }],
    rejected: [],
  };
}
