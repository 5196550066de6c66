import { isoWithOffset, schemaMapper } from '@healthsync/partner-kit';
import { WithingsWorkout } from '../schemas.js';

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

/** What the user typed in (`manual_*`, 0 when unset) wins over what the device measured. */
const pick = (manual?: number | null, measured?: number | null) => manual || (measured ?? undefined);

/** One `getworkouts` series item -> an exercise. */
export const toExercise = schemaMapper(
  WithingsWorkout,
  'workout',
  ({ id, category, timezone = 'UTC', startdate, enddate, modified, data = {} }) => {
    const at = isoWithOffset(startdate, timezone);
    const activityType = ACTIVITY[category] ?? 'other';
    const calories = pick(data.manual_calories, data.calories);
    const distance = pick(data.manual_distance, data.distance);
    return {
      externalId: String(id),
      externalVersion: String(modified ?? enddate),
      candidate: {
        activityType,
        name: `${activityType[0]?.toUpperCase()}${activityType.slice(1)}`,
        startedAt: at.iso,
        utcOffsetMinutes: at.utcOffsetMinutes,
        durationSeconds: enddate - startdate,
        ...(calories !== undefined && { calories }),
        ...(distance !== undefined && { distanceMeters: distance }),
      },
    };
  },
);
