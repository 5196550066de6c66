import {
  dayWindow,
  joinPages,
  type KindResource,
  localDay,
  type Measurement,
  PartnerError,
  pollPage,
} from '@healthsync/partner-kit';
import { fromMeasurement } from '../mappers/from-measurement.js';
import { toBodyLog } from '../mappers/to-measurement.js';
import { FitbitBodyLogs } from '../schemas.js';
import { create, get, logId, profileOffset, remove } from './fitbit-http.js';

// https://dev.fitbit.com/build/reference/web-api/body/ (weight and body fat logs; ranges <= 31 days)
export const measurement: KindResource<Measurement> = {
  async poll({ http, now }, cursor) {
    const offset = await profileOffset(http);
    const w = dayWindow(cursor, localDay(now, offset), { reread: 3, first: 30, span: 31 });
    const range = `date/${w.from}/${w.to}.json`;
    const weights = await get(http, `/1/user/-/body/log/weight/${range}`, FitbitBodyLogs);
    const fats = await get(http, `/1/user/-/body/log/fat/${range}`, FitbitBodyLogs);
    return joinPages(
      [
        pollPage('measurement', weights.weight ?? [], (raw) => toBodyLog('weight', raw, offset)),
        pollPage('measurement', fats.fat ?? [], (raw) => toBodyLog('fat', raw, offset)),
      ],
      { nextCursor: w.to, more: w.more },
    );
  },
  async create({ http }, item) {
    const body = fromMeasurement(item);
    if ('reject' in body) throw new PartnerError('invalid_data', body.reject);
    return {
      externalId: `${body.log}:${await create(http, `/1/user/-/body/log/${body.log}.json`, body.params)}`,
    };
  },
  async delete({ http }, externalId) {
    const [log, id] = externalId.split(':');
    if (log !== 'weight' && log !== 'fat') throw new PartnerError('invalid_data', 'not a Fitbit body log id');
    await remove(http, `/1/user/-/body/log/${log}/${logId(id)}.json`);
  },
};
