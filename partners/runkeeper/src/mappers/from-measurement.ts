import { fieldEncoder, type Measurement } from '@healthsync/partner-kit';
import { WEIGHT_SET_FIELDS } from './to-measurement.js';

/** A weight or body-fat measurement -> the fields of a NewWeightSet / WeightSet body. */
export const fromMeasurement = fieldEncoder<Measurement>({
  check: { kind: 'measurement', partner: 'RunKeeper' },
  refuse: (m) =>
    m.type in WEIGHT_SET_FIELDS
      ? undefined
      : `RunKeeper weight sets hold weight and body fat only, not ${m.type}`,
  fields: {
    timestamp: { time: 'measuredAt', format: 'rfc2822-local' },
    weight: (m) => (m.type === 'weight' ? m.value : undefined),
    fat_percent: (m) => (m.type === 'body_fat' ? m.value : undefined),
  },
});
