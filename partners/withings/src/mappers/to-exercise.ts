import { codesByValue, fieldMapper, titleOf } from '@healthsync/partner-kit';

/** Workout `category` -> the app's activity type; anything else is `other` (nothing is sent). */
const ACTIVITY = codesByValue(
  {
    walking: [1, 306],
    running: [2, 307],
    hiking: [3],
    cycling: [6, 308],
    swimming: [7],
    'weight training': [16],
    elliptical: [18],
    yoga: [28],
    rowing: [187],
  },
  { app: 'other', partner: '36' },
);

/** One `getworkouts` series item -> an exercise. What the user typed in (`manual_*`, 0 when unset)
 * wins over what the device measured. */
export const toExercise = fieldMapper('exercise', {
  label: 'workout',
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
