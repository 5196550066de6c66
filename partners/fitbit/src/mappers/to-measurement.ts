import { Measurement, type PolledItem } from '@healthsync/partner-kit';
import { FitbitFatLog, FitbitWeightLog } from '../schemas.js';
import { check, localIso, type Mapped } from './mapped.js';

// Fitbit logs carry the user's local date and time without an offset; the caller passes the
// profile's offset. A log without a time was stored at 23:59:59, Fitbit's default.
const DEFAULT_TIME = '23:59:59';

function measurement(
  type: 'weight' | 'body_fat',
  value: number,
  unit: 'kg' | '%',
  at: string,
  offset: number,
) {
  return check(Measurement, {
    kind: 'measurement',
    type,
    value,
    unit,
    measuredAt: at,
    utcOffsetMinutes: offset,
    source: { value, unit },
  });
}

/** A weight log read without Accept-Language (metric: kg). Its id is `weight:<logId>`. */
export function toWeight(raw: unknown, offsetMinutes: number): Mapped<PolledItem<Measurement>> {
  const log = check(FitbitWeightLog, raw);
  if (!log.ok) return log;
  const { logId, date, time = DEFAULT_TIME, weight } = log.value;
  const m = measurement('weight', weight, 'kg', localIso(date, time, offsetMinutes), offsetMinutes);
  return m.ok ? { ok: true, value: { externalId: `weight:${logId}`, data: m.value } } : m;
}

/** A body fat log (percent). Its id is `fat:<logId>`: weight and fat logs share log ids. */
export function toBodyFat(raw: unknown, offsetMinutes: number): Mapped<PolledItem<Measurement>> {
  const log = check(FitbitFatLog, raw);
  if (!log.ok) return log;
  const { logId, date, time = DEFAULT_TIME, fat } = log.value;
  const m = measurement('body_fat', fat, '%', localIso(date, time, offsetMinutes), offsetMinutes);
  return m.ok ? { ok: true, value: { externalId: `fat:${logId}`, data: m.value } } : m;
}
