import { fieldMapper, measurementCodes } from '@healthsync/partner-kit';

/** meastype -> our type and the SI unit Withings measures it in. */
const TYPES = measurementCodes('measures.0.type', {
  1: ['weight', 'kg'],
  4: ['height', 'm'],
  6: ['body_fat', '%'],
});
/** attrib 1: a device measure that may belong to another user; 4: typed in at account creation. */
const SKIPPED: Record<number, string> = {
  1: 'ambiguous device measure (attrib 1)',
  4: 'sign-up value (attrib 4)',
};

/** A single-measure group (the resource splits each group with `eachOf('measures')`) in the
 * page's time zone -> a measurement (`value x 10^unit`); nothing for objectives (category 2) and
 * other measure types. */
export const toMeasurement = fieldMapper<string | undefined>('measurement', {
  label: 'measure group',
  skip: (r) => r.num('category') !== 1 || !TYPES.has(r),
  id: (r) => r.id('grpid') && `${r.id('grpid')}-${r.num('measures.0.type')}`,
  version: ['modified', 'date'],
  reject: (r) => SKIPPED[r.num('attrib') ?? -1],
  at: { from: 'date', format: 'epoch' },
  fields: {
    ...TYPES.fields,
    value: { from: 'measures.0.value', exponent: 'measures.0.unit' },
  },
});
