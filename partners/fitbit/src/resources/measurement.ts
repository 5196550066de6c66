import {
  dayWindow,
  joinPages,
  jsonResource,
  localDay,
  PartnerError,
  pollPage,
  rawAt,
} from '@healthsync/partner-kit';
import { fromMeasurement, logOf } from '../mappers/from-measurement.js';
import { toBodyLog } from '../mappers/to-measurement.js';
import { CREATED, get, profileOffset, READ } from './fitbit-http.js';

const logPath = (log: string, rest: string) => `/1/user/-/body/log/${log}${rest}`;

// https://dev.fitbit.com/build/reference/web-api/body/ (weight and body fat logs; ranges <= 31 days)
export const measurement = jsonResource({
  kind: 'measurement',
  read: READ,
  idPattern: /^(weight|fat):\d+$/,
  async poll({ http, now }, cursor) {
    const offset = await profileOffset(http);
    const w = dayWindow(cursor, localDay(now, offset), { reread: 3, first: 30, span: 31 });
    const pages = [];
    for (const log of ['weight', 'fat'] as const) {
      const logs = rawAt(await get(http, logPath(log, `/date/${w.from}/${w.to}.json`)), log);
      pages.push(pollPage('measurement', [logs ?? []].flat(), (raw) => toBodyLog[log](raw, offset)));
    }
    return joinPages(pages, { nextCursor: w.to, more: w.more });
  },
  /** The id names the log: `<log>:<logId>` (a weigh-in's weight and fat logs share the log id). */
  create: {
    path: (body) => logPath(logOf(body), '.json'),
    encode: 'query',
    body: fromMeasurement,
    id: (answer, _res, body) => {
      const id = CREATED.map((p) => rawAt(answer, p)).find((v) => v !== undefined);
      return id === undefined ? undefined : `${logOf(body)}:${id}`;
    },
  },
  delete: { path: (id) => logPath(id.replace(':', '/'), '.json') },
});
