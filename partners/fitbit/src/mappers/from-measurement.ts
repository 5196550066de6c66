import { fieldEncoder, type Measurement, measurementFields } from '@healthsync/partner-kit';

/** Fitbit's body logs by measurement type: the log (its value field) and unit (metric: no Accept-Language). */
const LOGS = measurementFields({ weight: ['weight', 'kg'], body_fat: ['fat', '%'] });

/** Weight (kg) or body fat (%) log parameters (local time); the field names the log. */
export const fromMeasurement = fieldEncoder<Measurement>({
  refuse: (m) => (LOGS.holds(m) ? undefined : `Fitbit does not accept ${m.type} measurements`),
  fields: {
    ...LOGS.encode({ decimals: 2 }),
    date: { time: 'measuredAt', format: 'date' },
    time: { time: 'measuredAt', format: 'time' },
  },
});

/** The body log a create body goes to (`weight` or `fat`). */
export const logOf = (body: Readonly<Record<string, unknown>>) => LOGS.fieldOf(body) ?? 'fat';
