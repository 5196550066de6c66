import type { KindResource, Measurement } from '@healthsync/partner-kit';
import { toMeasurements } from '../mappers/to-measurement.js';
import { WithingsMeasureBody } from '../schemas.js';
import { pollSince } from './poll-since.js';

export const measurement: KindResource<Measurement> = {
  /** Weight (1), height (4) and fat ratio (6), real measures only (category 1), by `modified`.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measure-getmeas */
  poll: (ctx, cursor) =>
    pollSince(ctx, cursor, {
      path: '/measure',
      query: { action: 'getmeas', meastypes: '1,4,6', category: 1 },
      body: WithingsMeasureBody,
      list: (body) => body.measuregrps,
      map: (raw, body) => toMeasurements(raw, body.timezone),
    }),
};
