import { type Measurement, PartnerError, sendable, toRfc2822Local } from '@healthsync/partner-kit';
import { WEIGHT_SET_FIELDS } from './to-measurement.js';

/** A weight or body-fat measurement -> the fields of a NewWeightSet / WeightSet body. */
export function fromMeasurement(item: Measurement) {
  const m = sendable('measurement', item, 'RunKeeper');
  if (m.type !== 'weight' && m.type !== 'body_fat')
    throw new PartnerError(
      'invalid_data',
      `RunKeeper weight sets hold weight and body fat only, not ${m.type}`,
    );
  return { timestamp: toRfc2822Local(m.measuredAt), [WEIGHT_SET_FIELDS[m.type]]: m.value };
}
