import { measurementLogs } from '@healthsync/partner-kit';

/**
 * Fitbit's body logs by measurement type: the weight log (kg: read and written without
 * Accept-Language) and the body fat log (%). Entries are `<log>:<logId>`: the weight and fat logs
 * of one weigh-in share the log id. They carry the user's local date and time without an offset
 * (read in the profile's offset, the poll's zone); one without a time was stored at 23:59:59,
 * Fitbit's default. Written as log parameters: the value (2 decimals), the local date and time.
 * `BODY_LOGS.toApp.weight` / `.fat` read a log's entries, `BODY_LOGS.fromApp` writes a measurement.
 */
export const BODY_LOGS = measurementLogs({
  logs: { weight: ['weight', 'kg'], body_fat: ['fat', '%'] },
  id: 'logId',
  at: { from: ['date', 'time'], format: 'local', defaultTime: '23:59:59' },
  decimals: 2,
});
