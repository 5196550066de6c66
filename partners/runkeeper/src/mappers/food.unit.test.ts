import { type Food, pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import feed from '../fixtures/nutrition-set-feed.json' with { type: 'json' };
import { FOOD } from './to-food.js';

const [mfp, noCalories] = feed.items;
const map = (raw: unknown) => pollPage('food', [raw], FOOD.toApp);

describe('FOOD.toApp', () => {
  it('maps a nutrition set: kcal and grams, named after its source', () => {
    expect(map(mfp)).toEqual({
      more: false,
      items: [
        {
          externalId: '/nutrition/2330911',
          data: {
            kind: 'food',
            name: 'MyFitnessPal nutrition',
            meal: 'other',
            consumedAt: '2013-05-12T00:02:00+00:00',
            utcOffsetMinutes: 0,
            calories: 300,
            proteinGrams: 12,
            fatGrams: 9.2,
            carbsGrams: 41.5,
          },
        },
      ],
      rejected: [],
    });
  });

  it('rejects a set without calories', () => {
    expect(map(noCalories)).toMatchObject({
      items: [],
      rejected: [{ externalId: '/nutrition/2330910', reason: 'food has no calories' }],
    });
  });

  it('rejects a set without a date, and impossible values', () => {
    expect(map({ ...mfp, timestamp: undefined }).rejected[0]?.reason).toMatch(/timestamp/);
    expect(map({ ...mfp, calories: -10 }).rejected[0]?.reason).toMatch(/calories/);
    expect(map({ ...mfp, timestamp: 'Sun, 12 May 2013 25:02:00' }).rejected[0]?.reason).toMatch(/timestamp/);
  });
});

const lunch: Food = {
  kind: 'food',
  name: 'Lentil soup',
  meal: 'lunch',
  consumedAt: '2026-11-20T12:15:00+01:00',
  utcOffsetMinutes: 60,
  calories: 420,
  proteinGrams: 21,
};

describe('FOOD.fromApp', () => {
  it('writes calories and the macros it has, at local time', () => {
    expect(FOOD.fromApp(lunch)).toEqual({
      timestamp: 'Fri, 20 Nov 2026 12:15:00',
      calories: 420,
      protein: 21,
    });
  });
});
