import { jsonResource, mappedId, objectPoll } from '@healthsync/partner-kit';
import { fromMeasurement } from '../mappers/from-measurement.js';
import { toWeight } from '../mappers/to-measurement.js';

const READ = { partner: 'Strava' };

// https://developers.strava.com/docs/reference/#api-Athletes-getLoggedInAthlete and updateLoggedInAthlete.
export const measurement = jsonResource({
  kind: 'measurement',
  read: READ,
  // The cursor is the last weight seen: a profile change that leaves the weight alone is no reading.
  poll: objectPoll({ kind: 'measurement', path: '/athlete', changes: 'weight', map: toWeight, read: READ }),
  // The answer is the athlete: the weight we sent is the reading `toWeight` finds there.
  create: {
    method: 'PUT',
    path: '/athlete',
    encode: 'query',
    body: (m, { now }) => fromMeasurement(m, now),
    id: (athlete) => mappedId(toWeight(athlete)),
  },
});
