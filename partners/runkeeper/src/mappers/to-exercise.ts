import { activityTypeOf, dateFields, fromRfc2822Local, schemaMapper } from '@healthsync/partner-kit';
import { RunKeeperFitnessActivity } from '../schemas.js';

/** Activity types of the Health Graph; the app names them in snake case (`Mountain Biking` -> `mountain_biking`). */
export const RUNKEEPER_TYPES = [
  ...'Running|Cycling|Mountain Biking|Walking|Hiking|Downhill Skiing|Cross-Country Skiing|Snowboarding'.split(
    '|',
  ),
  ...'Skating|Swimming|Wheelchair|Rowing|Elliptical|Strength Training|Other|Yoga|Pilates|CrossFit'.split('|'),
  ...'Spinning|Zumba|Barre|Group Workout'.split('|'),
];

/**
 * A FitnessActivityFeed item -> an exercise. Times are local (`Sun, 19 Oct 2014 13:17:27`);
 * `utc_offset` (hours) is absent on API-entered items.
 */
export const toExercise = schemaMapper(RunKeeperFitnessActivity, 'not a RunKeeper fitness activity', (a) => {
  const start = fromRfc2822Local(a.start_time, Math.round((a.utc_offset ?? 0) * 60));
  if (!start)
    return { externalId: a.uri, reject: `exercise has no readable start_time: ${a.start_time ?? 'absent'}` };
  const type = a.type?.trim() || 'Other';
  const notes = a.notes?.trim();
  return {
    externalId: a.uri,
    candidate: {
      kind: 'exercise',
      activityType: activityTypeOf(type),
      name: notes && notes.length <= 200 ? notes : type,
      ...dateFields('exercise', start),
      durationSeconds: a.duration == null ? undefined : Math.round(a.duration),
      ...(a.total_calories != null && { calories: Math.round(a.total_calories) }),
      ...(a.total_distance != null && { distanceMeters: a.total_distance }),
    },
  };
});
