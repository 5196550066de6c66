import { createdId, jsonResource } from '@healthsync/partner-kit';
import { fromMeasurement, logOf } from '../mappers/from-measurement.js';
import { toBodyLog } from '../mappers/to-measurement.js';
import { profileOffset } from './fitbit-http.js';

const logPath = (log: string, rest: string) => `/1/user/-/body/log/${log}${rest}`;

// https://dev.fitbit.com/build/reference/web-api/body/ (weight and body fat logs; ranges <= 31 days)
export const measurement = jsonResource({
  kind: 'measurement',
  /** Ids name the log: `<log>:<logId>` (a weigh-in's weight and fat logs share the log id). */
  idPattern: /^(weight|fat):\d+$/,
  days: {
    window: { reread: 3, first: 30, span: 31 },
    zone: profileOffset,
    reads: (['weight', 'fat'] as const).map((log) => ({
      path: logPath(log, '/date/{from}/{to}.json'),
      items: log,
      map: toBodyLog[log],
    })),
  },
  create: {
    path: (body) => logPath(logOf(body), '.json'),
    encode: 'query',
    body: fromMeasurement,
    // The answer is `{weightLog: {logId, ...}}` or `{fatLog: {logId, ...}}`.
    id: createdId(['weightLog.logId', 'fatLog.logId'], (id, body) => `${logOf(body)}:${id}`),
  },
  delete: { path: (id) => logPath(id.replace(':', '/'), '.json') },
});
