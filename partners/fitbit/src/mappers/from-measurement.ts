import { isoWithOffset, localParts, type Measurement } from '@healthsync/partner-kit';

/** Which Fitbit body log a measurement goes to, and the create parameters (metric, local time). */
export type FitbitBodyLog =
  | { readonly log: 'weight' | 'fat'; readonly params: Readonly<Record<string, string>> }
  | { readonly reject: string };

export function fromMeasurement(m: Measurement): FitbitBodyLog {
  const { date, time } = localParts(isoWithOffset(new Date(m.measuredAt), m.utcOffsetMinutes).iso);
  if (m.type === 'weight' && m.unit === 'kg')
    return { log: 'weight', params: { weight: m.value.toFixed(2), date, time } };
  if (m.type === 'body_fat' && m.unit === '%')
    return { log: 'fat', params: { fat: m.value.toFixed(2), date, time } };
  return { reject: `Fitbit does not accept ${m.type} measurements` };
}
