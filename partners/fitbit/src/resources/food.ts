import { dayWindow, jsonResource, localDay, pollPage, rawAt } from '@healthsync/partner-kit';
import { fromFood } from '../mappers/from-food.js';
import { toFood } from '../mappers/to-food.js';
import { CREATED, get, profileOffset, READ } from './fitbit-http.js';

// https://dev.fitbit.com/build/reference/web-api/nutrition/ (food logs are read one day per call)
export const food = jsonResource({
  kind: 'food',
  read: READ,
  async poll({ http, now }, cursor) {
    const offset = await profileOffset(http);
    const w = dayWindow(cursor, localDay(now, offset), { reread: 1, first: 6, span: 7 });
    const raws: unknown[] = [];
    for (const day of w.days)
      raws.push(rawAt(await get(http, `/1/user/-/foods/log/date/${day}.json`), 'foods'));
    return pollPage('food', raws.flat(), (raw) => toFood(raw, offset), { nextCursor: w.to, more: w.more });
  },
  create: { path: '/1/user/-/foods/log.json', encode: 'query', body: fromFood, id: CREATED },
  delete: { path: '/1/user/-/foods/log/{id}.json' },
});
