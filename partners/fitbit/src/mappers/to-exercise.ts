import { fieldMapper } from '@healthsync/partner-kit';

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
export const toExercise = fieldMapper('exercise', {
  label: 'activity log',
  id: 'logId',
  version: 'lastModified',
  at: { from: 'startTime', format: 'iso' },
  fields: {
    activityType: (r) => TYPES[r.text('activityName')?.toLowerCase() ?? ''] ?? 'other',
    name: 'activityName',
    durationSeconds: { from: 'duration', unit: 'ms', round: 0 },
    calories: 'calories',
    distanceMeters: { from: 'distance', unit: { from: 'distanceUnit', default: 'km' }, round: 0 },
  },
});
