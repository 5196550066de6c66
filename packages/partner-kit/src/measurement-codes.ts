import type { MeasurementType } from './containers.js';
import type { RawPath, RawReader } from './fields.js';

/**
 * Measurements whose type is a partner code in the raw item (a reading's `type: 1` for a weight):
 * code -> [the app's type, the unit the partner measures it in].
 */
export type MeasurementCodeTable = Readonly<Record<string | number, readonly [MeasurementType, string]>>;

/**
 * Reading measurements whose code at `path` selects the type and the unit (`MeasurementCodeTable`),
 * for `fieldMapper`. Codes that are all integers are read as numbers (anything else there is a
 * malformed field, which rejects the item); other tables read a number or a text.
 */
export function measurementCodes(path: RawPath, table: MeasurementCodeTable) {
  const numeric = Object.keys(table).every((code) => /^-?\d+$/.test(code));
  const entryOf = (r: RawReader) => {
    const code = numeric ? r.num(path) : r.code(path);
    return code !== undefined && Object.hasOwn(table, String(code)) ? table[String(code)] : undefined;
  };
  return {
    table,
    /** Whether the item's code is in the table (`skip: (r) => !codes.has(r)` leaves out the others). */
    has: (r: RawReader): boolean => entryOf(r) !== undefined,
    /** `fieldMapper` fields: `type` and `unit` by the item's code (the mapper converts `value` from
     * that unit to the type's metric one, keeping the source). */
    fields: {
      type: (r: RawReader) => entryOf(r)?.[0],
      unit: (r: RawReader) => entryOf(r)?.[1],
    },
  };
}
