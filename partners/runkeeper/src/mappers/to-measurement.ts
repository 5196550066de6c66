import { linkId, measurementFields, twoWayFields } from '@healthsync/partner-kit';

/** The weight-set fields this partner maps: weight in kg, body fat in % (`fat_percent`). */
export const WEIGHT_SET = measurementFields({ weight: ['weight', 'kg'], body_fat: ['fat_percent', '%'] });

/**
 * A weight-set view (see `WEIGHT_SET.split`: one per measurement; local time without zone, read
 * as UTC) <-> a weight or body-fat measurement, named `<set uri>#<type>`; written as the fields of
 * a NewWeightSet / WeightSet body.
 */
export const MEASUREMENT = twoWayFields('measurement', {
  label: 'weight set',
  partner: 'RunKeeper',
  id: WEIGHT_SET.id(linkId('uri')),
  reject: WEIGHT_SET.reject('weight set'),
  refuse: (m) =>
    WEIGHT_SET.holds(m) ? undefined : `RunKeeper weight sets hold weight and body fat only, not ${m.type}`,
  at: { from: 'timestamp', format: 'rfc2822-local' },
  read: WEIGHT_SET.fields,
  write: WEIGHT_SET.encode(),
});

/** A weight-set view -> a weight or body-fat measurement. */
export const toMeasurement = MEASUREMENT.toApp;
