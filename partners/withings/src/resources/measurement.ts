import type { KindResource, Measurement } from '@healthsync/partner-kit';
import { splitGroup, toMeasurement } from '../mappers/to-measurement.js';
import { WithingsMeasureBody } from '../schemas.js';
import { pollSince } from './withings-http.js';

export const measurement: KindResource<Measurement> = {
  /** Weight (1), height (4) and fat ratio (6), real measures only (category 1), by `modified`; each
   * group split into one row per measure.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measure-getmeas */
  poll: pollSince(
    'measurement',
    '/measure',
    { action: 'getmeas', meastypes: '1,4,6', category: 1 },
    WithingsMeasureBody,
    (b) => b.measuregrps.flatMap(splitGroup),
    (raw, b) => toMeasurement(raw, b.timezone),
  ),
};
