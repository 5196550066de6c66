import { type KindResource, type Measurement, PartnerError, pollPage } from '@healthsync/partner-kit';
import { z } from 'zod';
import { fromMeasurement } from '../mappers/from-measurement.js';
import { toWeight } from '../mappers/to-measurement.js';
import { StravaAthlete } from '../schemas.js';
import { call } from './strava-http.js';

// https://developers.strava.com/docs/reference/#api-Athletes-getLoggedInAthlete and updateLoggedInAthlete.
// The cursor is the last weight seen: a profile change that leaves the weight alone is no reading.
export const measurement: KindResource<Measurement> = {
  async poll({ http }, cursor) {
    const raw = await call(http, { method: 'GET', path: '/athlete' }, z.unknown());
    const athlete = StravaAthlete.safeParse(raw);
    const weight = athlete.data?.weight;
    if (athlete.success && (weight == null || String(weight) === cursor))
      return { items: [], rejected: [], more: false };
    return pollPage('measurement', [raw], toWeight, weight == null ? {} : { nextCursor: String(weight) });
  },
  async create({ http, now }, item) {
    const params = fromMeasurement(item, now);
    if ('reject' in params) throw new PartnerError('invalid_data', params.reject);
    const athlete = await call(http, { method: 'PUT', path: '/athlete', query: params }, z.unknown());
    const mapped = toWeight(athlete);
    if (!mapped || !('candidate' in mapped))
      throw new PartnerError('invalid_data', 'Strava did not keep the weight');
    return { externalId: mapped.externalId };
  },
};
