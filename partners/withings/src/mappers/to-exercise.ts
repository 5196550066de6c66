import { dateFields, definedFields, isoWithOffset, schemaMapper, titleOf } from '@healthsync/partner-kit';
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
export const toExercise = schemaMapper(WithingsWorkout, 'workout', (w) => {
  const { id, category, timezone = 'UTC', startdate, enddate, modified, data = {} } = w;
  const activityType = ACTIVITY[category] ?? 'other';
  return {
    externalId: String(id),
    externalVersion: String(modified ?? enddate),
    candidate: {
      activityType,
      name: titleOf(activityType),
      ...dateFields('exercise', isoWithOffset(startdate, timezone)),
      durationSeconds: enddate - startdate,
      ...definedFields({
        calories: pick(data.manual_calories, data.calories),
        distanceMeters: pick(data.manual_distance, data.distance),
      }),
    },
  };
});
