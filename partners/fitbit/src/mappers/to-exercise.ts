import { definedFields, localParts, schemaMapper, toMeters, toSeconds } from '@healthsync/partner-kit';
import { FitbitActivityLog } from '../schemas.js';

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

/** An activity-list entry: `startTime` carries the offset, duration is in ms, distance in `distanceUnit`. */
export const toExercise = schemaMapper(FitbitActivityLog, 'activity log', (a) => {
  const distance =
    a.distance === undefined
      ? {}
      : { distanceMeters: Math.round(toMeters(a.distance, a.distanceUnit ?? 'km')) };
  return {
    externalId: a.logId,
    ...(a.lastModified === undefined ? {} : { externalVersion: a.lastModified }),
    candidate: {
      activityType: TYPES[a.activityName.toLowerCase()] ?? 'other',
      name: a.activityName,
      startedAt: a.startTime,
      utcOffsetMinutes: localParts(a.startTime).utcOffsetMinutes,
      durationSeconds: Math.round(toSeconds(a.duration, 'ms')),
      ...definedFields({ calories: a.calories }),
      ...distance,
    },
  };
});
