import { type KindResource, type Measurement, pollPage } from '@healthsync/partner-kit';
import { splitGroup, toMeasurement } from '../mappers/to-measurement.js';
import { WithingsMeasureBody } from '../schemas.js';
import { getSince } from './withings-http.js';

export const measurement: KindResource<Measurement> = {
  /** Weight (1), height (4) and fat ratio (6), real measures only (category 1), by `modified`.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measure-getmeas */
  async poll(ctx, cursor) {
    const { body, page } = await getSince(ctx, cursor, {
      path: '/measure',
      query: { action: 'getmeas', meastypes: '1,4,6', category: 1 },
      body: WithingsMeasureBody,
      list: (b) => b.measuregrps,
    });
    const rows = body.measuregrps.flatMap(splitGroup);
    return pollPage('measurement', rows, (raw) => toMeasurement(raw, body.timezone), page);
  },
};
