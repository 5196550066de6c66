import { schemaMapper } from '@healthsync/partner-kit';
import { RunKeeperFitnessActivity } from '../schemas.js';
import { fromRunKeeperTime } from './common.js';

/** Activity types of the Health Graph; the app names them in snake case (`Mountain Biking` -> `mountain_biking`). */
export const RUNKEEPER_TYPES = [
  ...'Running|Cycling|Mountain Biking|Walking|Hiking|Downhill Skiing|Cross-Country Skiing|Snowboarding'.split(
    '|',
  ),
  ...'Skating|Swimming|Wheelchair|Rowing|Elliptical|Strength Training|Other|Yoga|Pilates|CrossFit'.split('|'),
  ...'Spinning|Zumba|Barre|Group Workout'.split('|'),
];
export const appActivityType = (type: string) => type.toLowerCase().replace(/[^a-z]+/g, '_');

/** A FitnessActivityFeed item -> an exercise. Times are local; `utc_offset` (hours) is absent on API-entered items. */
export const toExercise = schemaMapper(RunKeeperFitnessActivity, 'not a RunKeeper fitness activity', (a) => {
  const offset = Math.round((a.utc_offset ?? 0) * 60);
  const startedAt = fromRunKeeperTime(a.start_time, offset);
  if (!startedAt)
    return { externalId: a.uri, reject: `exercise has no readable start_time: ${a.start_time ?? 'absent'}` };
  const type = a.type?.trim() || 'Other';
  const notes = a.notes?.trim();
  return {
    externalId: a.uri,
    candidate: {
      kind: 'exercise',
      activityType: appActivityType(type),
      name: notes && notes.length <= 200 ? notes : type,
      startedAt,
      utcOffsetMinutes: offset,
      durationSeconds: a.duration == null ? undefined : Math.round(a.duration),
      ...(a.total_calories != null && { calories: Math.round(a.total_calories) }),
      ...(a.total_distance != null && { distanceMeters: a.total_distance }),
    },
  };
});
