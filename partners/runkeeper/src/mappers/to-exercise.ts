import type { Exercise } from '@healthsync/partner-kit';
import { RunKeeperFitnessActivity } from '../schemas.js';
import { check, fromRunKeeperTime, type Mapped, reject } from './common.js';

/** Activity types of the Health Graph; the app names them in snake case (`Mountain Biking` -> `mountain_biking`). */
export const RUNKEEPER_TYPES = [
  ...[
    'Running',
    'Cycling',
    'Mountain Biking',
    'Walking',
    'Hiking',
    'Downhill Skiing',
    'Cross-Country Skiing',
  ],
  ...[
    'Snowboarding',
    'Skating',
    'Swimming',
    'Wheelchair',
    'Rowing',
    'Elliptical',
    'Strength Training',
    'Other',
  ],
  ...['Yoga', 'Pilates', 'CrossFit', 'Spinning', 'Zumba', 'Barre', 'Group Workout'],
];
export const appActivityType = (type: string) => type.toLowerCase().replace(/[^a-z]+/g, '_');

/** A FitnessActivityFeed item -> an exercise. Times are local; `utc_offset` (hours) is absent on API-entered items. */
export function toExercise(raw: unknown): Mapped<Exercise> {
  const parsed = RunKeeperFitnessActivity.safeParse(raw);
  if (!parsed.success) return reject(`not a RunKeeper fitness activity: ${parsed.error.message}`, raw);
  const a = parsed.data;
  const offset = Math.round((a.utc_offset ?? 0) * 60);
  const startedAt = fromRunKeeperTime(a.start_time, offset);
  if (!startedAt) return reject(`start_time missing or unreadable: ${a.start_time ?? 'absent'}`, raw, a.uri);
  const type = a.type?.trim() || 'Other';
  const notes = a.notes?.trim();
  return check(
    'exercise',
    a.uri,
    {
      kind: 'exercise',
      activityType: appActivityType(type),
      name: notes && notes.length <= 200 ? notes : type,
      startedAt,
      utcOffsetMinutes: offset,
      durationSeconds: Math.round(a.duration ?? 0),
      ...(a.total_calories != null && { calories: Math.round(a.total_calories) }),
      ...(a.total_distance != null && { distanceMeters: a.total_distance }),
    },
    raw,
  );
}
