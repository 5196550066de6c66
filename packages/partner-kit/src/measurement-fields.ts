import { MEASUREMENT_UNITS, type Measurement, type MeasurementType } from './containers.js';
import { type Computed, type RawReader, rawAt } from './fields.js';
import { convert } from './units.js';

/**
 * Measurements kept as numeric top-level fields of one partner record (a weight set's `weight`
 * and `fat_percent`, a body log's `weight` or `fat`): one table, app type -> [record field, the
 * unit the partner keeps it in], read into measurements and written back from them.
 */
export type MeasurementFieldTable = Readonly<Partial<Record<MeasurementType, readonly [string, string]>>>;

/** The app's value of a type (its metric unit) in a partner unit. */
function inUnit(type: MeasurementType, value: number, unit: string): number {
  const app = MEASUREMENT_UNITS[type].unit;
  if (unit === app) return value;
  if (app === '%') return unit === 'fraction' || unit === 'ratio' ? value / 100 : value;
  return convert(value, app === 'kg' ? 'mass' : 'length', app, unit);
}

/** Reading and writing measurements held as fields of a record, from their table (`MeasurementFieldTable`). */
export function measurementFields(table: MeasurementFieldTable) {
  const entries = Object.entries(table) as [MeasurementType, readonly [string, string]][];
  const names = entries.map(([, [field]]) => field);
  const typeOf = (r: RawReader): MeasurementType | undefined =>
    entries.find(([, [field]]) => r.num(field) !== undefined)?.[0];
  const entry = (r: RawReader) => {
    const type = typeOf(r);
    return type && table[type];
  };
  const none =
    names.length === 1
      ? `no ${names[0]}`
      : names.length === 2
        ? `neither ${names[0]} nor ${names[1]}`
        : `none of ${names.join(', ')}`;
  const typesInWords = new Intl.ListFormat('en').format(entries.map(([type]) => type.replace(/_/g, ' ')));
  const self = {
    table,
    /** `sharedRecords`' `fields` and `keyOf`: items are named `<record id>#<type>`, kept in their type's field. */
    shared: {
      fields: Object.fromEntries(entries.map(([type, [field]]) => [type, field])) as Record<string, string>,
      keyOf: (m: Measurement) => m.type,
    },
    /** The type of the first field of the table the record holds (a number). */
    typeOf,
    /** `fieldMapper` fields: `type`, `value` and `unit` from the field the record holds (the
     * mapper converts the value to the type's metric unit, keeping the source). */
    fields: {
      type: typeOf,
      value: (r: RawReader) => {
        const held = entry(r);
        return held && r.num(held[0]);
      },
      unit: (r: RawReader) => entry(r)?.[1],
    },
    /** A `fieldMapper` `reject`: the record holds none of the fields (`weight set has neither weight nor fat_percent`). */
    reject:
      (label: string): Computed<unknown, string | undefined> =>
      (r) =>
        typeOf(r) ? undefined : `${label} has ${none}`,
    /** A `fieldMapper` `id`: `<record id>#<type>`, the item ids of `sharedRecords` (the record id alone
     * when the record holds none of the fields, so the rejection names it). */
    id:
      <C>(recordId: Computed<C, string | undefined>): Computed<C, string | undefined> =>
      (r, context) => {
        const [id, type] = [recordId(r, context), typeOf(r)];
        return id && type ? `${id}#${type}` : id;
      },
    /**
     * A record holding several of the fields -> one view per field held, the others nulled, so
     * each measurement is validated (and rejected) on its own. A record holding one or none stays whole.
     */
    split(raw: unknown): unknown[] {
      const held = names.filter((n) => typeof rawAt(raw, n) === 'number');
      if (held.length < 2) return [raw];
      return held.map((keep) => ({
        ...(raw as object),
        ...Object.fromEntries(names.filter((n) => n !== keep).map((n) => [n, null])),
      }));
    },
    /** Whether a measurement's type has a field in the record. */
    holds: (m: Measurement): boolean => Object.hasOwn(table, m.type),
    /** `fieldEncoder` fields: the measurement's value in its type's field and unit (fixed-point text
     * with `decimals`), the other fields left out. */
    encode(options: { readonly decimals?: number } = {}) {
      const write = ([type, [field, unit]]: (typeof entries)[number]) => [
        field,
        (m: Measurement) => {
          if (m.type !== type) return undefined;
          const value = inUnit(type, m.value, unit);
          return options.decimals === undefined ? value : value.toFixed(options.decimals);
        },
      ];
      return Object.fromEntries(entries.map(write)) as Record<string, (m: Measurement) => unknown>;
    },
    /** The field an encoded body holds (the record it goes to, when each field is its own record). */
    fieldOf: (body: Readonly<Record<string, unknown>>): string | undefined =>
      names.find((n) => body[n] !== undefined),
    /** A `fieldEncoder` / `twoWayFields` `refuse`: a measurement of a type without a field
     * (`<holder> hold weight and body fat only, not waist`). */
    refuse:
      (holder: string) =>
      (m: Measurement): string | undefined =>
        self.holds(m) ? undefined : `${holder} hold ${typesInWords} only, not ${m.type}`,
  };
  return {
    ...self,
    /**
     * A `twoWayFields` spec's entries for such a record, spread into it: its `label`, `id`
     * (`<record id>#<type>`), `reject` (it holds none of the fields), `read` (the measurement held)
     * and `write` (`encode(options)`).
     */
    twoWay: <C>(
      label: string,
      recordId: Computed<C, string | undefined>,
      options?: { decimals?: number },
    ) => ({
      label,
      id: self.id(recordId),
      reject: self.reject(label),
      read: self.fields,
      write: self.encode(options),
    }),
  };
}
