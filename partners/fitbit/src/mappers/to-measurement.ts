import { localToIso, type Mapped, metricMeasurement } from '@healthsync/partner-kit';
import { describe, FitbitFatLog, FitbitWeightLog } from '../schemas.js';

// Fitbit logs carry the user's local date and time without an offset; the caller passes the
// profile's offset. A log without a time was stored at 23:59:59, Fitbit's default.
const DEFAULT_TIME = '23:59:59';

/** A weight log read without Accept-Language (metric: kg). Its id is `weight:<logId>`. */
export function toWeight(raw: unknown, offsetMinutes: number): Mapped {
  const log = FitbitWeightLog.safeParse(raw);
  if (!log.success) return { reject: `weight log: ${describe(log.error)}` };
  const { logId, date, time = DEFAULT_TIME, weight } = log.data;
  const at = localToIso(`${date}T${time}`, offsetMinutes);
  return {
    externalId: `weight:${logId}`,
    candidate: {
      type: 'weight',
      ...metricMeasurement('weight', weight, 'kg'),
      measuredAt: at.iso,
      utcOffsetMinutes: at.utcOffsetMinutes,
    },
  };
}

/** A body fat log (percent). Its id is `fat:<logId>`: weight and fat logs share log ids. */
export function toBodyFat(raw: unknown, offsetMinutes: number): Mapped {
  const log = FitbitFatLog.safeParse(raw);
  if (!log.success) return { reject: `body fat log: ${describe(log.error)}` };
  const { logId, date, time = DEFAULT_TIME, fat } = log.data;
  const at = localToIso(`${date}T${time}`, offsetMinutes);
  return {
    externalId: `fat:${logId}`,
    candidate: {
      type: 'body_fat',
      ...metricMeasurement('body_fat', fat, '%'),
      measuredAt: at.iso,
      utcOffsetMinutes: at.utcOffsetMinutes,
    },
  };
}
