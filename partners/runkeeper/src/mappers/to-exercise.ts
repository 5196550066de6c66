import { activityTypeOf, fieldMapper, linkId } from '@healthsync/partner-kit';

/** Activity types of the Health Graph; the app names them in snake case (`Mountain Biking` -> `mountain_biking`). */
export const RUNKEEPER_TYPES = [
  ...'Running|Cycling|Mountain Biking|Walking|Hiking|Downhill Skiing|Cross-Country Skiing|Snowboarding'.split(
    '|',
  ),
  ...'Skating|Swimming|Wheelchair|Rowing|Elliptical|Strength Training|Other|Yoga|Pilates|CrossFit'.split('|'),
  ...'Spinning|Zumba|Barre|Group Workout'.split('|'),
];

/**
 * A FitnessActivityFeed item -> an exercise (seconds, metres, kcal). Times are local (`Sun, 19 Oct
 * 2014 13:17:27`); `utc_offset` (hours) comes only on RunKeeper-recorded activities (else UTC).
 * The notes name it when they fit, else its type.
 */
export const toExercise = fieldMapper('exercise', {
  label: 'fitness activity',
  id: linkId('uri'),
  at: { from: 'start_time', format: 'rfc2822-local', zone: { from: 'utc_offset', unit: 'h', default: 0 } },
  fields: {
    activityType: (r) => activityTypeOf(r.text('type') ?? 'Other'),
    name: (r) => [r.text('notes'), r.text('type'), 'Other'].find((n) => n !== undefined && n.length <= 200),
    durationSeconds: { from: 'duration', round: 0 },
    calories: { from: 'total_calories', round: 0 },
    distanceMeters: 'total_distance',
  },
});
