import { activityNames, totalCalories, twoWayFields } from '@healthsync/partner-kit';

/** Fitbit activity names -> the app's activity types: the common names, Treadmill and Outdoor Bike;
 * anything else is `other`. */
const ACTIVITIES = activityNames({ running: ['treadmill'], cycling: ['outdoor bike'] });

/**
 * An activity-list entry <-> a custom activity. Read: `startTime` carries the offset, duration is in
 * ms, distance in `distanceUnit`. Written: Log Activity parameters (`activityName` +
 * `manualCalories`) in the user's local time and metric units (distance in km: we send no
 * Accept-Language). An exercise is re-checked before it is sent (calories, or calories per hour,
 * are required).
 */
export const EXERCISE = twoWayFields('exercise', {
  label: 'activity log',
  id: 'logId',
  version: 'lastModified',
  at: { from: 'startTime', format: 'iso' },
  dateAs: ['date', 'startTime'],
  fields: {
    name: 'activityName',
    durationSeconds: { read: 'duration', write: 'durationMillis', unit: 'ms', round: 0 },
  },
  read: {
    activityType: { code: 'activityName', table: ACTIVITIES },
    calories: 'calories',
    distanceMeters: { from: 'distance', unit: { from: 'distanceUnit', default: 'km' }, round: 0 },
  },
  write: {
    manualCalories: (e) => Math.round(totalCalories(e) ?? 0),
    distance: { from: 'distanceMeters', unit: 'km', decimals: 3 },
  },
});
