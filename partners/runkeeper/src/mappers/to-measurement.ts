import { fieldMapper, linkId, measurementFields } from '@healthsync/partner-kit';

/** The weight-set fields this partner maps: weight in kg, body fat in % (`fat_percent`). */
export const WEIGHT_SET = measurementFields({ weight: ['weight', 'kg'], body_fat: ['fat_percent', '%'] });

/**
 * A weight-set view (see `WEIGHT_SET.split`: one per measurement; local time without zone, read
 * as UTC) -> a weight or body-fat measurement, named `<set uri>#<type>`.
 */
export const toMeasurement = fieldMapper('measurement', {
  label: 'weight set',
  id: WEIGHT_SET.id(linkId('uri')),
  reject: WEIGHT_SET.reject('weight set'),
  at: { from: 'timestamp', format: 'rfc2822-local' },
  fields: WEIGHT_SET.fields,
});
