import { MEASUREMENT_UNITS, type MeasurementType } from './containers.js';
import { PartnerError } from './errors.js';

/**
 * Units: partners send lb, stone, miles, kJ...; the app stores metric (kg, cm, m, kcal, ml).
 * Conversions use the exact international definitions and keep what the partner sent as the
 * `source`. Dates: partner times become ISO 8601 local times with their UTC offset.
 */

const FACTORS = {
  mass: { kg: 1, g: 0.001, mg: 0.000001, lb: 0.45359237, st: 6.35029318, oz: 0.028349523125 },
  length: { cm: 1, m: 100, mm: 0.1, km: 100_000, in: 2.54, ft: 30.48, yd: 91.44, mi: 160_934.4 },
  energy: { kcal: 1, Cal: 1, cal: 0.001, kJ: 1 / 4.184, J: 1 / 4184 },
  volume: { ml: 1, l: 1000, fl_oz: 29.5735295625, cup: 236.5882365 },
  duration: { s: 1, ms: 0.001, min: 60, h: 3600 },
} as const;

export type MassUnit = keyof typeof FACTORS.mass;
export type LengthUnit = keyof typeof FACTORS.length;
export type EnergyUnit = keyof typeof FACTORS.energy;
export type VolumeUnit = keyof typeof FACTORS.volume;
export type DurationUnit = keyof typeof FACTORS.duration;
export type Dimension = keyof typeof FACTORS;

/** Common spellings partners use -> our unit names. */
const ALIASES: Record<string, string> = {
  kilogram: 'kg',
  kilograms: 'kg',
  kgs: 'kg',
  gram: 'g',
  grams: 'g',
  pound: 'lb',
  pounds: 'lb',
  lbs: 'lb',
  stone: 'st',
  stones: 'st',
  ounce: 'oz',
  ounces: 'oz',
  centimeter: 'cm',
  centimeters: 'cm',
  centimetre: 'cm',
  meter: 'm',
  meters: 'm',
  metre: 'm',
  metres: 'm',
  millimeter: 'mm',
  kilometer: 'km',
  kilometers: 'km',
  kilometre: 'km',
  inch: 'in',
  inches: 'in',
  foot: 'ft',
  feet: 'ft',
  yard: 'yd',
  yards: 'yd',
  mile: 'mi',
  miles: 'mi',
  kilocalorie: 'kcal',
  kilocalories: 'kcal',
  calories: 'Cal',
  kilojoule: 'kJ',
  kilojoules: 'kJ',
  kj: 'kJ',
  milliliter: 'ml',
  milliliters: 'ml',
  millilitre: 'ml',
  liter: 'l',
  liters: 'l',
  litre: 'l',
  'fl oz': 'fl_oz',
  floz: 'fl_oz',
  'fluid ounce': 'fl_oz',
  seconds: 's',
  sec: 's',
  minutes: 'min',
  hours: 'h',
  milliseconds: 'ms',
};

/** Remove binary floating-point noise (0.1 + 0.2) without losing real precision. */
export function clean(value: number, decimals = 9): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export function roundTo(value: number, decimals: number): number {
  return clean(value, decimals);
}

function factor(dimension: Dimension, unit: string): number {
  const table: Record<string, number> = FACTORS[dimension];
  const lower = unit.trim().toLowerCase();
  const name =
    table[unit] !== undefined ? unit : (ALIASES[lower] ?? (table[lower] !== undefined ? lower : unit));
  const f = table[name];
  if (f === undefined) throw new PartnerError('invalid_data', `unknown ${dimension} unit "${unit}"`);
  return f;
}

/** Convert between two units of one dimension (throws invalid_data on an unknown unit). */
export function convert(value: number, dimension: Dimension, from: string, to: string): number {
  if (!Number.isFinite(value)) throw new PartnerError('invalid_data', `not a number: ${value}`);
  return clean((value * factor(dimension, from)) / factor(dimension, to));
}

export const toKg = (value: number, unit: string): number => convert(value, 'mass', unit, 'kg');
export const toGrams = (value: number, unit: string): number => convert(value, 'mass', unit, 'g');
export const toCm = (value: number, unit: string): number => convert(value, 'length', unit, 'cm');
export const toMeters = (value: number, unit: string): number => convert(value, 'length', unit, 'm');
export const toKm = (value: number, unit: string): number => convert(value, 'length', unit, 'km');
export const toKcal = (value: number, unit: string): number => convert(value, 'energy', unit, 'kcal');
export const toMl = (value: number, unit: string): number => convert(value, 'volume', unit, 'ml');
export const toSeconds = (value: number, unit: string): number => convert(value, 'duration', unit, 's');

/** Metric -> a partner's unit (for pushing to a partner that insists on its own units). */
export const fromKg = (kg: number, unit: string): number => convert(kg, 'mass', 'kg', unit);
export const fromCm = (cm: number, unit: string): number => convert(cm, 'length', 'cm', unit);
export const fromMeters = (m: number, unit: string): number => convert(m, 'length', 'm', unit);
export const fromKcal = (kcal: number, unit: string): number => convert(kcal, 'energy', 'kcal', unit);

/**
 * Withings' encoding `real = value × 10^unit` (56300, -3 -> 56.3). Exact for the decimals the
 * partner sends: dividing by a power of ten rounds once, multiplying by 10^-3 would not.
 */
export function fromPowerOfTen(value: number, exponent: number): number {
  if (!Number.isInteger(exponent))
    throw new PartnerError('invalid_data', `unit exponent ${exponent} is not an integer`);
  return exponent < 0 ? value / 10 ** -exponent : value * 10 ** exponent;
}

/** The inverse, for fakes: 56.3 at exponent -3 -> 56300 (rounded to an integer). */
export function toPowerOfTen(real: number, exponent: number): number {
  return Math.round(exponent < 0 ? real * 10 ** -exponent : real / 10 ** exponent);
}

/** What a measurement container needs: the metric value and unit, and the source as sent. */
export interface MetricMeasurement {
  readonly value: number;
  readonly unit: 'kg' | '%' | 'cm';
  readonly source: { readonly value: number; readonly unit: string };
}

/**
 * A partner's measurement in any unit -> the container's metric unit for that type (weight kg,
 * height and waist cm, body fat %). Body fat also accepts a 0..1 `fraction`.
 */
export function metricMeasurement(type: MeasurementType, value: number, unit: string): MetricMeasurement {
  const target = MEASUREMENT_UNITS[type].unit;
  const source = { value, unit };
  if (target === '%') {
    if (unit === '%' || unit.toLowerCase() === 'percent') return { value: clean(value), unit: '%', source };
    if (unit === 'fraction' || unit === 'ratio') return { value: clean(value * 100), unit: '%', source };
    throw new PartnerError('invalid_data', `body fat in "${unit}" cannot be converted to %`);
  }
  if (target === 'kg') return { value: toKg(value, unit), unit: 'kg', source };
  return { value: toCm(value, unit), unit: 'cm', source };
}

/* ------------------------------------------------------------------------------------ dates */

/** -90 -> "-01:30", 0 -> "+00:00". */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offsetMinutes));
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset (minutes) of an IANA zone at a moment; throws invalid_data on an unknown zone. */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  let fmt = zoneFormatters.get(timeZone);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch {
      throw new PartnerError('invalid_data', `unknown time zone "${timeZone}"`);
    }
    zoneFormatters.set(timeZone, fmt);
  }
  const name = fmt.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/.exec(name);
  if (!m) throw new PartnerError('invalid_data', `cannot read the offset of "${timeZone}"`);
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

export interface LocalTime {
  /** ISO 8601 local time with its offset: 2021-05-05T19:53:36+02:00. */
  readonly iso: string;
  readonly utcOffsetMinutes: number;
}

/** A zone: an IANA name ("Europe/Berlin") or a fixed offset in minutes. */
export type Zone = string | number;

function offsetFor(zone: Zone, at: Date): number {
  return typeof zone === 'number' ? zone : zoneOffsetMinutes(zone, at);
}

/** A moment (epoch seconds or Date) as local ISO time in a zone. */
export function isoWithOffset(moment: number | Date, zone: Zone): LocalTime {
  const ms = typeof moment === 'number' ? moment * 1000 : moment.getTime();
  if (!Number.isFinite(ms)) throw new PartnerError('invalid_data', 'invalid date');
  const offset = offsetFor(zone, new Date(ms));
  const local = new Date(ms + offset * 60_000).toISOString();
  const seconds = local.slice(0, 19);
  const fraction = local.slice(19, 23) === '.000' ? '' : local.slice(19, 23);
  return { iso: `${seconds}${fraction}${formatOffset(offset)}`, utcOffsetMinutes: offset };
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/**
 * A wall-clock time without an offset (Fitbit's "2019-01-03T12:08:42", RunKeeper's local
 * start time) in a zone -> local ISO with offset. For an IANA zone the offset is the one in
 * force at that wall-clock time (DST-aware; a time in the spring gap moves forward).
 */
export function localToIso(local: string, zone: Zone): LocalTime & { readonly epochSeconds: number } {
  const m = LOCAL.exec(local.trim());
  if (!m) throw new PartnerError('invalid_data', `not a local date-time: "${local}"`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m;
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(frac.padEnd(3, '0')),
  );
  const check = new Date(wall);
  if (
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    throw new PartnerError('invalid_data', `impossible date-time "${local}"`);
  let offset = offsetFor(zone, new Date(wall));
  // Two passes settle the offset around DST changes.
  for (let i = 0; i < 2; i++) offset = offsetFor(zone, new Date(wall - offset * 60_000));
  const ms = wall - offset * 60_000;
  const out = isoWithOffset(new Date(ms), offset);
  return { ...out, epochSeconds: ms / 1000 };
}

const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z|[+-]\d{4})$/;

/**
 * An ISO 8601 basic-format date-time with its offset (`20121212T071430+0200`, `20121212T051430Z`)
 * -> local ISO with that offset and the instant; undefined when absent, malformed or impossible.
 */
export function fromIsoBasic(
  text: string | null | undefined,
): (LocalTime & { readonly epochSeconds: number }) | undefined {
  const m = BASIC.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const zone = m[7] ?? 'Z';
  const offset =
    zone === 'Z' ? 0 : Number(`${zone[0]}1`) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)));
  try {
    return localToIso(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`, offset);
  } catch {
    return undefined;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * An RFC 2822-style date-time written without a zone (`Sun, 19 Oct 2014 13:17:27`, weekday
 * optional), read as wall-clock time in a zone -> local ISO with its offset and the instant;
 * undefined when absent, unreadable or impossible.
 */
export function fromRfc2822Local(
  text: string | null | undefined,
  zone: Zone,
): (LocalTime & { readonly epochSeconds: number }) | undefined {
  const m = /^(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}:\d{2}:\d{2})$/.exec(
    text?.trim() ?? '',
  );
  const month = MONTHS.indexOf(m?.[2] ?? '');
  if (!m || month < 0) return undefined;
  try {
    return localToIso(`${m[3]}-${pad2(month + 1)}-${pad2(Number(m[1]))}T${m[4]}`, zone);
  } catch {
    return undefined;
  }
}

/** The wall clock of an ISO time with offset, written RFC 2822-style without a zone: `Sat, 1 Jan 2011 07:30:00`. */
export function toRfc2822Local(iso: string): string {
  const { date, time } = localParts(iso);
  const d = new Date(`${date}T00:00:00Z`);
  return `${WEEKDAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time}`;
}

/** A moment in ISO 8601 basic format, UTC, to the second: `20121212T051430Z`. */
export const isoBasicUtc = (at: Date): string => `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

/** An ISO time with offset -> its local date, time and offset (what partners want on push). */
export function localParts(iso: string): {
  date: string;
  time: string;
  utcOffsetMinutes: number;
  epochSeconds: number;
} {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso.trim());
  if (!m) throw new PartnerError('invalid_data', `not an ISO date-time with offset: "${iso}"`);
  const zone = m[3] ?? 'Z';
  const offset =
    zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const time = (m[2] ?? '00:00').length === 5 ? `${m[2]}:00` : (m[2] ?? '00:00:00');
  return { date: m[1] ?? '', time, utcOffsetMinutes: offset, epochSeconds: Date.parse(iso) / 1000 };
}

/** Epoch seconds of an ISO time. */
export function toEpochSeconds(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new PartnerError('invalid_data', `not a date: "${iso}"`);
  return Math.floor(ms / 1000);
}
