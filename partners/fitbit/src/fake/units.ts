import { convert } from '@healthsync/partner-kit';
import type { Request } from 'express';

/**
 * Fitbit's localization (https://dev.fitbit.com/build/reference/web-api/developer-guide/application-design/#Localization):
 * `Accept-Language: en_US` means US units (pounds, miles), `en_GB` UK units (stone, kilometres),
 * anything else or no header metric. It applies to what is read AND to what is written.
 */
export interface Quantity {
  readonly name: string;
  /** From this unit to the metric one (kg or km). */
  readonly toMetric: (v: number) => number;
  readonly fromMetric: (v: number) => number;
}

export interface Units {
  readonly locale: 'en_US' | 'en_GB' | 'METRIC';
  readonly weight: Quantity;
  readonly distance: Quantity;
}

const mass = (name: string, unit: string): Quantity => ({
  name,
  toMetric: (v) => convert(v, 'mass', unit, 'kg'),
  fromMetric: (v) => convert(v, 'mass', 'kg', unit),
});
const length = (name: string, unit: string): Quantity => ({
  name,
  toMetric: (v) => convert(v, 'length', unit, 'km'),
  fromMetric: (v) => convert(v, 'length', 'km', unit),
});

export const DISTANCE_UNITS: Readonly<Record<string, Quantity>> = {
  Kilometer: length('Kilometer', 'km'),
  Mile: length('Mile', 'mi'),
};

const METRIC: Units = { locale: 'METRIC', weight: mass('kg', 'kg'), distance: length('Kilometer', 'km') };
const US: Units = { locale: 'en_US', weight: mass('lb', 'lb'), distance: length('Mile', 'mi') };
const UK: Units = { locale: 'en_GB', weight: mass('stone', 'st'), distance: length('Kilometer', 'km') };

export function unitsOf(req: Request): Units {
  const lang = (req.get('accept-language') ?? '').trim().replace('-', '_');
  return lang.startsWith('en_US') ? US : lang.startsWith('en_GB') ? UK : METRIC;
}
