import { Exercise, type PolledItem } from '@healthsync/partner-kit';
import { FitbitActivityLog } from '../schemas.js';
import { check, type Mapped, offsetOf } from './mapped.js';

/** Fitbit activity names (lower case) -> the app's activity types; anything else is `other`. */
const TYPES: Readonly<Record<string, string>> = {
  walk: 'walking',
  run: 'running',
  treadmill: 'running',
  bike: 'cycling',
  'outdoor bike': 'cycling',
  swim: 'swimming',
  hike: 'hiking',
  yoga: 'yoga',
  elliptical: 'elliptical',
};

/** An activity-list entry read without Accept-Language: distance in kilometres, duration in ms. */
export function toExercise(raw: unknown): Mapped<PolledItem<Exercise>> {
  const log = check(FitbitActivityLog, raw);
  if (!log.ok) return log;
  const a = log.value;
  if (a.distance !== undefined && a.distanceUnit !== undefined && a.distanceUnit !== 'Kilometer')
    return { ok: false, reason: `distance in ${a.distanceUnit}, expected Kilometer (metric request)` };
  const e = check(Exercise, {
    kind: 'exercise',
    activityType: TYPES[a.activityName.toLowerCase()] ?? 'other',
    name: a.activityName,
    startedAt: a.startTime,
    utcOffsetMinutes: offsetOf(a.startTime),
    durationSeconds: Math.round(a.duration / 1000),
    ...(a.calories === undefined ? {} : { calories: a.calories }),
    ...(a.distance === undefined ? {} : { distanceMeters: Math.round(a.distance * 1000) }),
  });
  if (!e.ok) return e;
  const version = a.lastModified === undefined ? {} : { externalVersion: a.lastModified };
  return { ok: true, value: { externalId: a.logId, ...version, data: e.value } };
}
