import { listPoll, rawReader } from '@healthsync/partner-kit';
import { splitGroup, toMeasurement } from '../mappers/to-measurement.js';
import { lastUpdate } from './withings-http.js';

export const measurement = {
  /** Weight (1), height (4) and fat ratio (6), real measures only (category 1), by `modified`; each
   * group split into one row per measure, read in the answer's time zone.
   * https://developer.withings.com/api-reference/#tag/measure/operation/measure-getmeas */
  poll: listPoll({
    kind: 'measurement',
    ...lastUpdate({ action: 'getmeas', meastypes: '1,4,6', category: 1 }),
    path: '/measure',
    items: 'body.measuregrps',
    split: splitGroup,
    context: (answer) => rawReader(answer).text('body.timezone'),
    map: toMeasurement,
  }),
};
