import { activityTypeOf, linkId, totalCalories, twoWayFields } from '@healthsync/partner-kit';

/** Activity types of the Health Graph; the app names them in snake case (`Mountain Biking` -> `mountain_biking`). */
export const RUNKEEPER_TYPES = [
  ...'Running|Cycling|Mountain Biking|Walking|Hiking|Downhill Skiing|Cross-Country Skiing|Snowboarding'.split(
    '|',
  ),
  ...'Skating|Swimming|Wheelchair|Rowing|Elliptical|Strength Training|Other|Yoga|Pilates|CrossFit'.split('|'),
  ...'Spinning|Zumba|Barre|Group Workout'.split('|'),
];

/**
 * A FitnessActivityFeed item <-> an exercise (seconds, metres, kcal). Times are local (`Sun, 19 Oct
 * 2014 13:17:27`); `utc_offset` (hours) comes only on RunKeeper-recorded activities (else UTC).
 * Read: the notes name it when they fit, else its type. Written: total calories (from calories
 * per hour if need be), an unknown type as `Other`, never posted to social networks (a
 * NewFitnessActivity / FitnessActivity body).
 */
export const EXERCISE = twoWayFields('exercise', {
  label: 'fitness activity',
  id: linkId('uri'),
  at: { from: 'start_time', format: 'rfc2822-local', zone: { from: 'utc_offset', unit: 'h', default: 0 } },
  fields: {
    durationSeconds: { field: 'duration', round: 0 },
    distanceMeters: 'total_distance',
  },
  read: {
    activityType: (r) => activityTypeOf(r.text('type') ?? 'Other'),
    name: (r) => [r.text('notes'), r.text('type'), 'Other'].find((n) => n !== undefined && n.length <= 200),
    calories: { from: 'total_calories', round: 0 },
  },
  write: {
    type: (e) => RUNKEEPER_TYPES.find((t) => activityTypeOf(t) === activityTypeOf(e.activityType)) ?? 'Other',
    total_calories: (e) => Math.round(totalCalories(e) ?? 0),
    notes: 'name',
    post_to_facebook: { is: false },
    post_to_twitter: { is: false },
  },
});
