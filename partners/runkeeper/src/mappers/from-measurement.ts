import { type Measurement, PartnerError } from '@healthsync/partner-kit';
import { toRunKeeperTime, valid } from './common.js';
import { WEIGHT_SET_FIELDS } from './to-measurement.js';

/** A weight or body-fat measurement -> the fields of a NewWeightSet / WeightSet body. */
export function fromMeasurement(item: Measurement) {
  const m = valid('measurement', item);
  if (m.type !== 'weight' && m.type !== 'body_fat')
    throw new PartnerError(
      'invalid_data',
      `RunKeeper weight sets hold weight and body fat only, not ${m.type}`,
    );
  return {
    timestamp: toRunKeeperTime(m.measuredAt),
    [WEIGHT_SET_FIELDS[m.type]]: m.value,
  };
}
