import { eachOf, jsonResource, rawReader } from '@healthsync/partner-kit';
import { toMeasurement } from '../mappers/to-measurement.js';
import { lastUpdate } from './withings-http.js';

export const measurement = jsonResource({
  kind: 'measurement',
  /** Weight (1), height (4) and fat ratio (6), real measures only (category 1), by `modified`. One
   * weigh-in is one group with several measures: each is split into one group per measure, so each
   * measure is validated (and rejected) on its own; read in the answer's time zone.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measure-getmeas */
  list: {
    ...lastUpdate({ action: 'getmeas', meastypes: '1,4,6', category: 1 }),
    path: '/measure',
    items: 'body.measuregrps',
    split: eachOf('measures'),
    context: (answer) => rawReader(answer).text('body.timezone'),
    map: toMeasurement,
  },
});
