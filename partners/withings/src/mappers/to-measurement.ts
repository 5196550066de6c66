import {
  dateFields,
  fromPowerOfTen,
  isoWithOffset,
  type MeasurementType,
  metricMeasurement,
  schemaMapper,
} from '@healthsync/partner-kit';
import { WithingsMeasureGroup } from '../schemas.js';

/** meastype -> our type and the SI unit Withings measures it in. */
const TYPES: Record<number, [MeasurementType, string]> = {
  1: ['weight', 'kg'],
  4: ['height', 'm'],
  6: ['body_fat', '%'],
};
/** attrib 1: a device measure that may belong to another user; 4: typed in at account creation. */
const SKIPPED: Record<number, string> = {
  1: 'ambiguous device measure (attrib 1)',
  4: 'sign-up value (attrib 4)',
};

/** One weigh-in is one group with several measures: split it into one group per measure, so each
 * measure is validated (and rejected) on its own. A malformed group stays whole to be rejected. */
export function splitGroup(raw: unknown): unknown[] {
  const group = WithingsMeasureGroup.safeParse(raw);
  return group.success ? group.data.measures.map((m) => ({ ...group.data, measures: [m] })) : [raw];
}

/** A single-measure group (see `splitGroup`) -> a measurement; null for objectives and other types. */
export const toMeasurement = schemaMapper(
  WithingsMeasureGroup,
  'measure group',
  ({ grpid, attrib, date, modified, category, measures: [m] }, timezone?: string) => {
    const t = m && TYPES[m.type];
    if (category !== 1 || !m || !t) return null; // category 2: the user's objectives
    const externalId = `${grpid}-${m.type}`;
    const skipped = SKIPPED[attrib];
    if (skipped) return { externalId, reject: skipped };
    return {
      externalId,
      externalVersion: String(modified ?? date),
      candidate: {
        type: t[0],
        ...metricMeasurement(t[0], fromPowerOfTen(m.value, m.unit), t[1]),
        ...dateFields('measurement', isoWithOffset(date, timezone ?? 'UTC')),
      },
    };
  },
);
