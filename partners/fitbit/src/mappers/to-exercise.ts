import { activityNames, fieldMapper } from '@healthsync/partner-kit';

/** Fitbit activity names -> the app's activity types: the common names, Treadmill and Outdoor Bike;
 * anything else is `other`. */
const ACTIVITIES = activityNames({ running: ['treadmill'], cycling: ['outdoor bike'] });

/** An activity-list entry: `startTime` carries the offset, duration is in ms, distance in `distanceUnit`. */
export const toExercise = fieldMapper('exercise', {
  label: 'activity log',
  id: 'logId',
  version: 'lastModified',
  at: { from: 'startTime', format: 'iso' },
  fields: {
    activityType: { code: 'activityName', table: ACTIVITIES },
    name: 'activityName',
    durationSeconds: { from: 'duration', unit: 'ms', round: 0 },
    calories: 'calories',
    distanceMeters: { from: 'distance', unit: { from: 'distanceUnit', default: 'km' }, round: 0 },
  },
});
