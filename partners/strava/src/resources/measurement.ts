import { jsonResource, mappedId } from '@healthsync/partner-kit';
import { fromMeasurement } from '../mappers/from-measurement.js';
import { toWeight } from '../mappers/to-measurement.js';

// https://developers.strava.com/docs/reference/#api-Athletes-getLoggedInAthlete and updateLoggedInAthlete.
export const measurement = jsonResource({
  kind: 'measurement',
  // The cursor is the last weight seen: a profile change that leaves the weight alone is no reading.
  object: { path: '/athlete', changes: 'weight', map: toWeight },
  // The answer is the athlete: the weight we sent is the reading `toWeight` finds there.
  create: {
    method: 'PUT',
    path: '/athlete',
    encode: 'query',
    body: (m, { now }) => fromMeasurement(m, now),
    id: (athlete) => mappedId(toWeight(athlete)),
  },
});
