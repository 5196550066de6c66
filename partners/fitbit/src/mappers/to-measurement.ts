import { dateFields, localToIso, type Mapped, metricMeasurement, zodReason } from '@healthsync/partner-kit';
import { FitbitBodyLog } from '../schemas.js';

// Fitbit logs carry the user's local date and time without an offset; the caller passes the
// profile's offset. A log without a time was stored at 23:59:59, Fitbit's default.
const DEFAULT_TIME = '23:59:59';
const TYPES = { weight: ['weight', 'kg'], fat: ['body_fat', '%'] } as const;

/**
 * A weight log (kg: read without Accept-Language) or a body fat log (%). Its id is `<log>:<logId>`:
 * the weight and fat logs of one weigh-in share the log id.
 */
export function toBodyLog(log: 'weight' | 'fat', raw: unknown, offsetMinutes: number): Mapped {
  const parsed = FitbitBodyLog.safeParse(raw);
  if (!parsed.success) return { reject: `${log} log: ${zodReason(parsed.error)}` };
  const { logId, date, time = DEFAULT_TIME, [log]: value } = parsed.data;
  if (value === undefined) return { externalId: `${log}:${logId}`, reject: `${log} log has no ${log}` };
  const [type, unit] = TYPES[log];
  return {
    externalId: `${log}:${logId}`,
    candidate: {
      type,
      ...metricMeasurement(type, value, unit),
      ...dateFields('measurement', localToIso(`${date}T${time}`, offsetMinutes)),
    },
  };
}
