import { fieldMapper, type RawReader, rawReader } from '@healthsync/partner-kit';
import { uriOf } from '../schemas.js';

/** The weight-set fields this partner maps, by the app's measurement type. */
export const WEIGHT_SET_FIELDS = { weight: 'weight', body_fat: 'fat_percent' } as const;
type WeightSetType = keyof typeof WEIGHT_SET_FIELDS;

/** A weight set with weight and body fat -> one view per measurement (the other field nulled). */
export function splitWeightSet(raw: unknown): unknown[] {
  const r = rawReader(raw);
  const both = [r.get('weight'), r.get('fat_percent')].every((v) => typeof v === 'number');
  return both
    ? [
        { ...(raw as object), fat_percent: null },
        { ...(raw as object), weight: null },
      ]
    : [raw];
}

const typeOf = (r: RawReader): WeightSetType | undefined =>
  r.num('weight') !== undefined ? 'weight' : r.num('fat_percent') !== undefined ? 'body_fat' : undefined;

/** A weight-set view (kg or %, local time without zone: read as UTC) -> a weight or body-fat measurement. */
export const toMeasurement = fieldMapper('measurement', {
  label: 'weight set',
  id: (r) => {
    const [uri, type] = [uriOf(r), typeOf(r)];
    return uri && type ? `${uri}#${type}` : uri; // one set holds up to two measurements
  },
  reject: (r) => (typeOf(r) ? undefined : 'weight set has neither weight nor fat_percent'),
  at: { from: 'timestamp', format: 'rfc2822-local' },
  fields: {
    type: typeOf,
    value: (r) => r.num('weight') ?? r.num('fat_percent'),
    unit: (r) => (typeOf(r) === 'weight' ? 'kg' : '%'),
  },
});
