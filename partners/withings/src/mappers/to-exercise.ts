import { codeTable, fieldMapper, titleOf } from '@healthsync/partner-kit';

/** Workout `category` -> the app's activity type; anything else is `other` (nothing is sent). */
const ACTIVITY = codeTable(
  {
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
  },
  { app: 'other', partner: '36' },
);

/** One `getworkouts` series item -> an exercise. What the user typed in (`manual_*`, 0 when unset)
 * wins over what the device measured. */
export const toExercise = fieldMapper('exercise', {
  label: 'workout',
  id: 'id',
  version: ['modified', 'enddate'],
  at: { from: 'startdate', format: 'epoch', zone: { from: 'timezone', default: 'UTC' } },
  fields: {
    activityType: { code: 'category', table: ACTIVITY },
    name: (r) => titleOf(ACTIVITY.toApp(r.num('category'))),
    durationSeconds: { span: ['startdate', 'enddate'] },
    calories: (r) => r.num('data.manual_calories') || r.num('data.calories'),
    distanceMeters: (r) => r.num('data.manual_distance') || r.num('data.distance'),
  },
});
