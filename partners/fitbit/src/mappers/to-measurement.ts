import { fieldMapper } from '@healthsync/partner-kit';

// Fitbit logs carry the user's local date and time without an offset; the caller passes the
// profile's offset (minutes). A log without a time was stored at 23:59:59, Fitbit's default.
const bodyLog = (log: 'weight' | 'fat', type: 'weight' | 'body_fat', unit: string) =>
  fieldMapper<number>('measurement', {
    label: `${log} log`,
    id: (r) => r.id('logId') && `${log}:${r.id('logId')}`,
    reject: (r) => (r.get(log) === undefined ? `${log} log has no ${log}` : undefined),
    at: { from: ['date', 'time'], format: 'local', defaultTime: '23:59:59' },
    fields: { type: { is: type }, value: { from: log, unit } },
  });

/**
 * A weight log (kg: read without Accept-Language) or a body fat log (%). Its id is `<log>:<logId>`:
 * the weight and fat logs of one weigh-in share the log id.
 */
export const toBodyLog = { weight: bodyLog('weight', 'weight', 'kg'), fat: bodyLog('fat', 'body_fat', '%') };
