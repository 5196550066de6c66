import { fieldEncoder, type Measurement } from '@healthsync/partner-kit';

const LOGS: Readonly<Record<string, string>> = { weight: 'weight', body_fat: 'fat' };

/** Weight (kg) or body fat (%) log parameters (metric, local time); the field names the log. */
export const fromMeasurement = fieldEncoder<Measurement>({
  refuse: (m) => (LOGS[m.type] ? undefined : `Fitbit does not accept ${m.type} measurements`),
  fields: {
    weight: (m) => (m.type === 'weight' ? m.value.toFixed(2) : undefined),
    fat: (m) => (m.type === 'body_fat' ? m.value.toFixed(2) : undefined),
    date: { time: 'measuredAt', format: 'date' },
    time: { time: 'measuredAt', format: 'time' },
  },
});

/** The body log a create body goes to (`weight` or `fat`). */
export const logOf = (body: Readonly<Record<string, unknown>>) => ('weight' in body ? 'weight' : 'fat');
