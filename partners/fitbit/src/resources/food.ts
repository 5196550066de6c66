import { dayWindow, type Food, type KindResource, localDay, pollPage } from '@healthsync/partner-kit';
import { fromFood } from '../mappers/from-food.js';
import { toFood } from '../mappers/to-food.js';
import { FitbitFoodLogs } from '../schemas.js';
import { create, get, logId, profileOffset, remove } from './fitbit-http.js';

// https://dev.fitbit.com/build/reference/web-api/nutrition/ (food logs are read one day per call)
export const food: KindResource<Food> = {
  async poll({ http, now }, cursor) {
    const offset = await profileOffset(http);
    const w = dayWindow(cursor, localDay(now, offset), { reread: 1, first: 6, span: 7 });
    const raws: unknown[] = [];
    for (const day of w.days)
      raws.push(...(await get(http, `/1/user/-/foods/log/date/${day}.json`, FitbitFoodLogs)).foods);
    return pollPage('food', raws, (raw) => toFood(raw, offset), { nextCursor: w.to, more: w.more });
  },
  async create({ http }, item) {
    return { externalId: await create(http, '/1/user/-/foods/log.json', fromFood(item)) };
  },
  async delete({ http }, externalId) {
    await remove(http, `/1/user/-/foods/log/${logId(externalId)}.json`);
  },
};
