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

const KG_PER_LB = 0.45359237;
const KG_PER_STONE = 14 * KG_PER_LB;
const KM_PER_MILE = 1.609344;

const scale = (name: string, factor: number): Quantity => ({
  name,
  toMetric: (v) => v * factor,
  fromMetric: (v) => v / factor,
});

export const DISTANCE_UNITS: Readonly<Record<string, Quantity>> = {
  Kilometer: scale('Kilometer', 1),
  Mile: scale('Mile', KM_PER_MILE),
};

const METRIC: Units = { locale: 'METRIC', weight: scale('kg', 1), distance: scale('Kilometer', 1) };
const US: Units = { locale: 'en_US', weight: scale('lb', KG_PER_LB), distance: scale('Mile', KM_PER_MILE) };
const UK: Units = { locale: 'en_GB', weight: scale('stone', KG_PER_STONE), distance: scale('Kilometer', 1) };

export function unitsOf(req: Request): Units {
  const lang = (req.get('accept-language') ?? '').trim().replace('-', '_');
  return lang.startsWith('en_US') ? US : lang.startsWith('en_GB') ? UK : METRIC;
}
