import { type KindResource, type Measurement, PartnerError } from '@healthsync/partner-kit';
import { fromMeasurement } from '../mappers/from-measurement.js';
import { collect } from '../mappers/mapped.js';
import { toBodyFat, toWeight } from '../mappers/to-measurement.js';
import { FitbitFatLogs, FitbitWeightLogs } from '../schemas.js';
import { dayWindow } from './days.js';
import { create, get, logId, profileOffset, remove } from './fitbit-http.js';

// https://dev.fitbit.com/build/reference/web-api/body/ (weight and body fat logs; ranges <= 31 days)
export const measurement: KindResource<Measurement> = {
  async poll({ http, now }, cursor) {
    const offset = await profileOffset(http);
    const w = dayWindow(cursor, now, offset, { reread: 3, first: 30, span: 31 });
    const weights = await get(
      http,
      `/1/user/-/body/log/weight/date/${w.from}/${w.to}.json`,
      FitbitWeightLogs,
    );
    const fats = await get(http, `/1/user/-/body/log/fat/date/${w.from}/${w.to}.json`, FitbitFatLogs);
    return {
      ...collect([
        ...weights.weight.map((raw) => ({ raw, mapped: toWeight(raw, offset) })),
        ...fats.fat.map((raw) => ({ raw, mapped: toBodyFat(raw, offset) })),
      ]),
      nextCursor: w.to,
      more: w.more,
    };
  },
  async create({ http }, item) {
    const body = fromMeasurement(item);
    if (!body.ok) throw new PartnerError('invalid_data', body.reason);
    const id = await create(http, `/1/user/-/body/log/${body.value.log}.json`, body.value.params);
    return { externalId: `${body.value.log}:${id}` };
  },
  async delete({ http }, externalId) {
    const [log, id] = externalId.split(':');
    if (log !== 'weight' && log !== 'fat') throw new PartnerError('invalid_data', 'not a Fitbit body log id');
    await remove(http, `/1/user/-/body/log/${log}/${logId(id)}.json`);
  },
};
