import { fieldEncoder, type Measurement } from '@healthsync/partner-kit';
import { WEIGHT_SET } from './to-measurement.js';

/** A weight or body-fat measurement -> the fields of a NewWeightSet / WeightSet body. */
export const fromMeasurement = fieldEncoder<Measurement>({
  check: { kind: 'measurement', partner: 'RunKeeper' },
  refuse: (m) =>
    WEIGHT_SET.holds(m) ? undefined : `RunKeeper weight sets hold weight and body fat only, not ${m.type}`,
  fields: {
    timestamp: { time: 'measuredAt', format: 'rfc2822-local' },
    ...WEIGHT_SET.encode(),
  },
});
