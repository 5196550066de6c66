import { jsonResource } from '@healthsync/partner-kit';
import { BODY_LOGS } from '../mappers/to-measurement.js';

// https://dev.fitbit.com/build/reference/web-api/body/ (weight and body fat logs; ranges <= 31 days)
export const measurement = jsonResource({
  kind: 'measurement',
  days: {
    window: { reread: 3, first: 30, span: 31 },
    reads: BODY_LOGS.reads({ path: '/body/log/{log}/date/{from}/{to}.json', items: '{log}' }),
  },
  /** Ids name the log: `<log>:<logId>`. The create answer is `{weightLog: {logId, ...}}` or `{fatLog: ...}`. */
  ...BODY_LOGS.writes({
    create: { path: '/body/log/{log}.json', encode: 'query', id: '{log}Log.logId' },
    delete: '/body/log/{log}/{id}.json',
  }),
});
