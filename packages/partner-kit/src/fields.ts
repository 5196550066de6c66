import { MEASUREMENT_UNITS, type MeasurementType } from './containers.js';
import { PartnerError } from './errors.js';
import {
  convert,
  type Dimension,
  fromIsoBasic,
  fromPowerOfTen,
  fromRfc2822Local,
  isoWithOffset,
  type LocalTime,
  localParts,
  localToIso,
  metricMeasurement,
  toRfc2822Local,
  type Zone,
} from './units.js';
import { type ContainerKind, dateFields, type Mapped } from './validate.js';

/**
 * Declarative field mapping: a partner's raw item -> a container candidate, described as a table
 * (raw field -> container field, with its unit, time format and code table). The raw item is read
 * tolerantly: unknown fields pass, a field of the wrong type rejects the item with its name, an
 * absent one leaves the container field out (so the container's own validation names what is
 * missing: "exercise has no duration"). This replaces a tolerant item schema plus a mapper.
 */

/** A dot path into the raw item (`loggedFood.name`, `measures.0.value`). */
export type RawPath = string;

/** Reads a raw item's fields by path, tolerantly; a field of the wrong type throws a `RawFieldError`. */
export interface RawReader {
  readonly raw: unknown;
  /** Whatever is at the path (undefined when absent or null). */
  get(path: RawPath): unknown;
  /** A finite number (undefined when absent or null). */
  num(path: RawPath): number | undefined;
  /** A string, trimmed (undefined when absent, null or blank). */
  text(path: RawPath): string | undefined;
  /** A code: a number or a non-blank string (a code table's key). */
  code(path: RawPath): string | number | undefined;
  /** An id: a non-negative integer or a string of digits, as its decimal string (ids above 2^53 too, as `RawId`). */
  id(path: RawPath): string | undefined;
}

export class RawFieldError extends Error {}

export function rawAt(raw: unknown, path: RawPath): unknown {
  let value: unknown = raw;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? undefined;
}

export function rawReader(raw: unknown): RawReader {
  const typed = <T>(path: RawPath, what: string, ok: (v: unknown) => T | undefined): T | undefined => {
    const value = rawAt(raw, path);
    if (value === undefined) return undefined;
    const out = ok(value);
    if (out === undefined) throw new RawFieldError(`${path} is not ${what}: ${JSON.stringify(value)}`);
    return out;
  };
  return {
    raw,
    get: (path) => rawAt(raw, path),
    num: (path) =>
      typed(path, 'a number', (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)),
    text: (path) => {
      const t = typed(path, 'a text', (v) => (typeof v === 'string' ? v.trim() : undefined));
      return t === '' ? undefined : t;
    },
    code: (path) =>
      typed(path, 'a code', (v) =>
        typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? v : undefined,
      ),
    id: (path) =>
      typed(path, 'an id', (v) =>
        typeof v === 'number' && Number.isInteger(v) && v >= 0
          ? String(v)
          : typeof v === 'string' && /^\d+$/.test(v.trim())
            ? v.trim()
            : undefined,
      ),
  };
}

/** A value computed from the reader and the mapping's context (the escape hatch of every spec). */
export type Computed<C, T = unknown> = (r: RawReader, context: C) => T;

/**
 * A numeric field: read from the first of `from` that is present, converted from the source
 * `unit` (or the unit named by another raw field) to the container field's unit, rounded.
 */
export interface NumberField {
  readonly from: RawPath | readonly RawPath[];
  /** A raw field holding a power of ten the value is scaled by (`value x 10^exponent`, `fromPowerOfTen`). */
  readonly exponent?: RawPath;
  readonly unit?: string | { readonly from: RawPath; readonly default: string };
  /** Decimals to round to (0: an integer). */
  readonly round?: number;
}

/** A code field: the raw code (first present of `from`) through a code table (`codeTable`). */
export interface CodeField {
  readonly code: RawPath | readonly RawPath[];
  readonly table: { readonly toApp: (code: string | number | null | undefined) => string };
}

/** The difference `to - from` of two numeric raw fields (an end and a start), converted as `NumberField`. */
export interface SpanField {
  readonly span: readonly [RawPath, RawPath];
  readonly unit?: string;
}

/** A constant. */
export interface ConstField {
  readonly is: string | number;
}

/**
 * A container field: a raw path (read as the field's type: numbers for numeric fields, text
 * otherwise), a numeric or code spec, a constant, or computed.
 */
export type FieldSpec<C> = RawPath | NumberField | SpanField | CodeField | ConstField | Computed<C>;

/**
 * How a zone is given: fixed, a raw field (an IANA name, or an offset in `unit`), or computed. Not
 * given: the mapping context when it is a zone (a number: an offset in minutes; a text: an IANA
 * name), as a day-window poll hands its mappers the user's zone; else UTC.
 */
export type ZoneSpec<C> =
  | Zone
  | { readonly from: RawPath; readonly unit?: 's' | 'min' | 'h'; readonly default?: Zone }
  | Computed<C, Zone>;

/**
 * The item's date (`startedAt` / `measuredAt` / `consumedAt` and `utcOffsetMinutes`):
 * - `epoch`: epoch seconds, shown in `zone`;
 * - `iso`: ISO 8601 with an offset (kept as written), or the instant shown in `zone` when one is given
 *   (the context is not taken for it);
 * - `utc`: an ISO 8601 instant, written in UTC (`2024-03-08T07:00:00.000Z`, offset 0);
 * - `local`: a wall-clock `yyyy-MM-dd[THH:mm[:ss]]` (or `[date, time]` paths) in `zone`; a date
 *   without a time is at `defaultTime` (else midnight);
 * - `rfc2822-local`: `Sun, 19 Oct 2014 13:17:27` without a zone, in `zone`;
 * - `iso-basic`: `20121212T071430+0200`.
 */
export interface TimeSpec<C> {
  readonly from: RawPath | readonly [RawPath, RawPath];
  readonly format: 'epoch' | 'iso' | 'utc' | 'local' | 'rfc2822-local' | 'iso-basic';
  readonly zone?: ZoneSpec<C>;
  readonly defaultTime?: string;
}

export interface FieldMapSpec<C> {
  /** Names the item in rejection reasons (`activity has no id`). */
  readonly label: string;
  /** The external id: a raw path (read with `id`; default `id`) or computed (one that throws counts
   * as absent, unless a field it reads has the wrong type). An item without one is rejected. */
  readonly id?: RawPath | Computed<C, string | undefined>;
  /** The version marker: the first present of raw paths (a number or a text), or computed. */
  readonly version?: RawPath | readonly RawPath[] | Computed<C, string | undefined>;
  /** When true the item is skipped (not an item of this kind: objectives, transport). */
  readonly skip?: Computed<C, boolean>;
  /** A reason to reject the item (with its id), or undefined. */
  readonly reject?: Computed<C, string | undefined>;
  readonly at: TimeSpec<C>;
  /** Container fields (without `kind` and the date fields). For a measurement, `value` is read in
   * `unit` and converted to the metric unit of `type`, keeping the source. */
  readonly fields: Readonly<Record<string, FieldSpec<C>>>;
}

/** The container unit of numeric fields, by field name. */
const FIELD_UNITS: Readonly<Record<string, readonly [Dimension, string]>> = {
  durationSeconds: ['duration', 's'],
  distanceMeters: ['length', 'm'],
  calories: ['energy', 'kcal'],
  caloriesPerHour: ['energy', 'kcal'],
  proteinGrams: ['mass', 'g'],
  fatGrams: ['mass', 'g'],
  carbsGrams: ['mass', 'g'],
};
const TEXT_FIELDS = new Set(['name', 'activityType', 'meal', 'type', 'unit']);

const paths = (from: RawPath | readonly RawPath[]): readonly RawPath[] =>
  typeof from === 'string' ? [from] : from;
const first = <T>(from: RawPath | readonly RawPath[], read: (p: RawPath) => T | undefined) =>
  paths(from)
    .map(read)
    .find((v) => v !== undefined);
const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

function fieldValue<C>(name: string, spec: FieldSpec<C>, r: RawReader, context: C) {
  if (typeof spec === 'function') return spec(r, context);
  if (typeof spec === 'string') return TEXT_FIELDS.has(name) ? r.text(spec) : r.num(spec);
  if ('is' in spec) return spec.is;
  if ('code' in spec) return spec.table.toApp(first(spec.code, r.code));
  const [start, end] = 'span' in spec ? spec.span.map((p) => r.num(p)) : [];
  let value =
    'span' in spec
      ? start === undefined || end === undefined
        ? undefined
        : end - start
      : first(spec.from, r.num);
  if (value !== undefined && 'exponent' in spec && spec.exponent !== undefined)
    value = fromPowerOfTen(value, r.num(spec.exponent) ?? 0);
  const target = FIELD_UNITS[name];
  if (value !== undefined && spec.unit !== undefined && target) {
    const unit = typeof spec.unit === 'string' ? spec.unit : (r.text(spec.unit.from) ?? spec.unit.default);
    value = convert(value, target[0], unit, target[1]);
  }
  const decimals = 'round' in spec ? spec.round : undefined;
  return value === undefined || decimals === undefined ? value : round(value, decimals);
}

/** The zone of the `ZoneSpec`, or without one the context when it is a zone (else UTC, as an absent field's). */
function zoneOf<C>(spec: ZoneSpec<C> | undefined, r: RawReader, context: C): Zone | undefined {
  if (spec === undefined)
    return typeof context === 'string' || (typeof context === 'number' && Number.isFinite(context))
      ? context
      : undefined;
  if (typeof spec === 'string' || typeof spec === 'number') return spec;
  if (typeof spec === 'function') return spec(r, context);
  const factor = { s: 1 / 60, min: 1, h: 60 }[spec.unit ?? 'min'];
  if (spec.unit === undefined) return r.text(spec.from) ?? spec.default;
  const offset = r.num(spec.from);
  return offset === undefined ? spec.default : Math.round(offset * factor);
}

function timeOf<C>(spec: TimeSpec<C>, r: RawReader, context: C): LocalTime | undefined {
  const [at, clock] = typeof spec.from === 'string' ? [spec.from, undefined] : spec.from;
  const zone = zoneOf(spec.zone, r, context) ?? 0;
  if (spec.format === 'epoch') {
    const seconds = r.num(at);
    return seconds === undefined ? undefined : isoWithOffset(seconds, zone);
  }
  const text = r.text(at);
  if (text === undefined) return undefined;
  switch (spec.format) {
    case 'iso': {
      if (Number.isNaN(Date.parse(text))) return undefined;
      if (spec.zone !== undefined) return isoWithOffset(new Date(text), zone);
      const offset = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? localParts(text).utcOffsetMinutes : undefined;
      return offset === undefined ? undefined : { iso: text, utcOffsetMinutes: offset };
    }
    case 'utc':
      return Number.isNaN(Date.parse(text))
        ? undefined
        : { iso: new Date(text).toISOString(), utcOffsetMinutes: 0 };
    case 'local': {
      const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
      const clockText = clock === undefined ? undefined : r.text(clock);
      const time = clockText ?? (day ? spec.defaultTime : undefined);
      return localToIso(time === undefined ? text : `${text}T${time}`, zone);
    }
    case 'rfc2822-local':
      return fromRfc2822Local(text, zone);
    case 'iso-basic':
      return fromIsoBasic(text);
  }
}

/**
 * A mapper from a table (`FieldMapSpec`): `(raw, context) -> Mapped | null`, for `pollPage`. The
 * context is whatever the resource knows beside the item (the page's time zone, the user's offset).
 */
export function fieldMapper<C = undefined>(kind: ContainerKind, spec: FieldMapSpec<C>) {
  return (raw: unknown, context?: C): Mapped | null => {
    const r = rawReader(raw);
    const ctx = context as C;
    let externalId: string | undefined;
    try {
      if (spec.skip?.(r, ctx)) return null;
      externalId = typeof spec.id === 'function' ? computedId(spec.id, r, ctx) : r.id(spec.id ?? 'id');
      const id = externalId === undefined ? {} : { externalId };
      const reason = spec.reject?.(r, ctx);
      if (reason !== undefined) return { ...id, reject: reason };
      const at = timeOf(spec.at, r, ctx);
      if (!at) {
        const where = typeof spec.at.from === 'string' ? spec.at.from : spec.at.from[0];
        const seen = rawAt(raw, where);
        const text = seen === undefined ? 'absent' : JSON.stringify(seen);
        return { ...id, reject: `${spec.label} has no readable ${where}: ${text}` };
      }
      if (externalId === undefined) return { reject: `${spec.label} has no id` };
      const candidate: Record<string, unknown> = { kind, ...dateFields(kind, at) };
      for (const [name, field] of Object.entries(spec.fields)) {
        const value = fieldValue(name, field, r, ctx);
        if (value !== undefined) candidate[name] = value;
      }
      if (kind === 'measurement') measurementUnits(candidate, spec.fields.value);
      const version =
        typeof spec.version === 'function'
          ? spec.version(r, ctx)
          : spec.version && first(spec.version, (p) => r.code(p))?.toString();
      return { externalId, ...(version !== undefined && { externalVersion: version }), candidate };
    } catch (e) {
      if (!(e instanceof RawFieldError || e instanceof PartnerError)) throw e;
      const reject = e instanceof RawFieldError ? `${spec.label}: ${e.message}` : e.message;
      return { ...(externalId !== undefined && { externalId }), reject };
    }
  };
}

/** A computed id, undefined when it cannot be computed (what it reads is absent or malformed). */
function computedId<C>(id: Computed<C, string | undefined>, r: RawReader, context: C): string | undefined {
  try {
    return id(r, context);
  } catch (e) {
    if (e instanceof RawFieldError) throw e;
    return undefined;
  }
}

/** A measurement's `value` in its source unit -> the metric unit of its type, keeping the source. */
function measurementUnits<C>(candidate: Record<string, unknown>, spec: FieldSpec<C> | undefined) {
  const { type, value } = candidate;
  if (typeof value !== 'number' || typeof type !== 'string' || !Object.hasOwn(MEASUREMENT_UNITS, type))
    return;
  const measurementType = type as MeasurementType;
  const unit =
    typeof spec === 'object' && 'from' in spec && typeof spec.unit === 'string'
      ? spec.unit
      : typeof candidate.unit === 'string'
        ? candidate.unit
        : MEASUREMENT_UNITS[measurementType].unit;
  Object.assign(candidate, metricMeasurement(measurementType, value, unit));
}

/* ------------------------------------------------------------------ app item -> partner fields */

/** How a date-time field of the app item is written: local wall clock at the item's offset
 * (`local` `2024-03-09T07:00:00`, `date` `2024-03-09`, `time` `07:00:00`), `rfc2822-local`
 * (`Sat, 9 Mar 2024 07:00:00`) or `epoch` seconds. */
export type OutTimeFormat = 'local' | 'date' | 'time' | 'rfc2822-local' | 'epoch';

/**
 * A partner field: an app field (sent as it is), a conversion (`unit`: the partner's unit for a
 * numeric field, converted from the app's; `decimals`: written as fixed-point text), a code table
 * (`fromApp`), a date-time, a constant, or computed. Undefined values are left out.
 */
export type OutFieldSpec<I> =
  | string
  | { readonly from: string; readonly unit?: string; readonly decimals?: number }
  | { readonly code: string; readonly table: { readonly fromApp: (value: string) => string } }
  | { readonly time: string; readonly format: OutTimeFormat }
  | ConstOut
  | ((item: I) => unknown);
interface ConstOut {
  readonly is: string | number | boolean;
}

export interface FieldEncoderSpec<I> {
  /** A reason not to send the item (this partner cannot hold it), or undefined. */
  readonly refuse?: (item: I) => string | undefined;
  readonly fields: Readonly<Record<string, OutFieldSpec<I>>>;
}

/** The app field's unit (for `unit` conversions), by field name. */
const APP_UNITS = FIELD_UNITS;

function outTime(iso: string, offsetMinutes: number, format: OutTimeFormat): string | number {
  if (format === 'epoch') return Date.parse(iso) / 1000;
  const local = isoWithOffset(new Date(iso), offsetMinutes).iso;
  if (format === 'rfc2822-local') return toRfc2822Local(local);
  const { date, time } = localParts(local);
  return format === 'date' ? date : format === 'time' ? time : `${date}T${time}`;
}

/**
 * An encoder from a table (`FieldEncoderSpec`): an app item -> the partner's body fields, or
 * `{reject}` with the reason it cannot be sent (the shape `jsonResource` writes take).
 */
export function fieldEncoder<I extends object>(spec: FieldEncoderSpec<I>) {
  return (item: I): Record<string, unknown> | { readonly reject: string } => {
    const reason = spec.refuse?.(item);
    if (reason !== undefined) return { reject: reason };
    const get = (field: string) => (item as Record<string, unknown>)[field];
    const offset = Number(get('utcOffsetMinutes') ?? 0);
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(spec.fields)) {
      let value: unknown;
      if (typeof field === 'string') value = get(field);
      else if (typeof field === 'function') value = field(item);
      else if ('is' in field) value = field.is;
      else if ('code' in field) value = field.table.fromApp(String(get(field.code)));
      else if ('time' in field) value = outTime(String(get(field.time)), offset, field.format);
      else {
        value = get(field.from);
        const dimension = APP_UNITS[field.from];
        if (typeof value === 'number' && field.unit !== undefined && dimension)
          value = convert(value, dimension[0], dimension[1], field.unit);
        if (typeof value === 'number' && field.decimals !== undefined) value = value.toFixed(field.decimals);
      }
      if (value !== undefined) out[name] = value;
    }
    return out;
  };
}
