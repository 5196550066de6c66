import type { Measurement } from '@healthsync/partner-kit';
import { type Mapped, wallClock } from './mapped.js';

/** Which Fitbit body log a measurement goes to, and the create parameters (metric, local time). */
export interface FitbitBodyLog {
  readonly log: 'weight' | 'fat';
  readonly params: Readonly<Record<string, string>>;
}

export function fromMeasurement(m: Measurement): Mapped<FitbitBodyLog> {
  const { date, time } = wallClock(m.measuredAt, m.utcOffsetMinutes);
  if (m.type === 'weight' && m.unit === 'kg')
    return { ok: true, value: { log: 'weight', params: { weight: m.value.toFixed(2), date, time } } };
  if (m.type === 'body_fat' && m.unit === '%')
    return { ok: true, value: { log: 'fat', params: { fat: m.value.toFixed(2), date, time } } };
  return { ok: false, reason: `Fitbit does not accept ${m.type} measurements` };
}
