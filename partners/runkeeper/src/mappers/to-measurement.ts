import { linkId, measurementFields, twoWayFields } from '@healthsync/partner-kit';

/** The weight-set fields this partner maps: weight in kg, body fat in % (`fat_percent`). */
export const WEIGHT_SET = measurementFields({ weight: ['weight', 'kg'], body_fat: ['fat_percent', '%'] });

/**
 * A weight-set view (see `WEIGHT_SET.split`: one per measurement; local time without zone, read
 * as UTC) <-> a weight or body-fat measurement, named `<set uri>#<type>`; written as the fields of
 * a NewWeightSet / WeightSet body.
 */
export const MEASUREMENT = twoWayFields('measurement', {
  ...WEIGHT_SET.twoWay('weight set', linkId('uri')),
  refuse: WEIGHT_SET.refuse('weight sets'),
  at: { from: 'timestamp', format: 'rfc2822-local' },
});
