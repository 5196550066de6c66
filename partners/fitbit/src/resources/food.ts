import { jsonResource } from '@healthsync/partner-kit';
import { FOOD } from '../mappers/to-food.js';

// https://dev.fitbit.com/build/reference/web-api/nutrition/ (food logs are read one day per call)
export const food = jsonResource({
  kind: 'food',
  days: {
    window: { reread: 1, first: 6, span: 7 },
    reads: [{ path: '/foods/log/date/{day}.json', items: 'foods', map: FOOD.toApp }],
  },
  // The answer is `{foodLog: {logId, ...}, foodDay}`.
  create: { path: '/foods/log.json', encode: 'query', body: FOOD.fromApp, id: 'foodLog.logId' },
  delete: { path: '/foods/log/{id}.json' },
});
