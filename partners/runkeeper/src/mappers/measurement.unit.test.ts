import { type Measurement, pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import feed from '../fixtures/weight-set-feed.json' with { type: 'json' };
import { MEASUREMENT, WEIGHT_SET } from './to-measurement.js';

const [both, weightOnly, bmiOnly] = feed.items;
const map = (raw: unknown) => pollPage('measurement', WEIGHT_SET.split(raw), MEASUREMENT.toApp);

describe('toMeasurements', () => {
  it('splits a weight set into weight (kg) and body fat (%) with their own ids, keeping the source', () => {
    expect(map(both)).toEqual({
      more: false,
      items: [
        {
          externalId: '/weight/8710123#weight',
          data: {
            kind: 'measurement',
            type: 'weight',
            value: 81.4,
            unit: 'kg',
            measuredAt: '2016-03-14T07:02:00+00:00',
            utcOffsetMinutes: 0,
            source: { value: 81.4, unit: 'kg' },
          },
        },
        {
          externalId: '/weight/8710123#body_fat',
          data: {
            kind: 'measurement',
            type: 'body_fat',
            value: 21.3,
            unit: '%',
            measuredAt: '2016-03-14T07:02:00+00:00',
            utcOffsetMinutes: 0,
            source: { value: 21.3, unit: '%' },
          },
        },
      ],
      rejected: [],
    });
    expect(map(weightOnly).items.map((i) => i.externalId)).toEqual(['/weight/8710122#weight']);
  });

  it('rejects a set with neither weight nor body fat', () => {
    expect(map(bmiOnly)).toMatchObject({
      items: [],
      rejected: [
        { externalId: '/weight/8710121', reason: expect.stringMatching(/neither weight nor fat_percent/) },
      ],
    });
  });

  it('rejects a set without a timestamp', () => {
    expect(map({ ...both, timestamp: null }).rejected[0]?.reason).toMatch(/timestamp/);
  });

  it('rejects impossible values and keeps the plausible half of the set', () => {
    const out = map({ ...both, weight: 0.2 });
    expect(out.items.map((i) => i.data.type)).toEqual(['body_fat']);
    expect(out.rejected).toMatchObject([
      { externalId: '/weight/8710123#weight', reason: expect.stringMatching(/outside/) },
    ]);
  });
});

const weight: Measurement = {
  kind: 'measurement',
  type: 'weight',
  value: 80.5,
  unit: 'kg',
  measuredAt: '2026-11-20T06:45:00-05:00',
  utcOffsetMinutes: -300,
};

describe('MEASUREMENT.fromApp', () => {
  it('writes weight in kg and body fat as fat_percent at local time', () => {
    expect(MEASUREMENT.fromApp(weight)).toEqual({ timestamp: 'Fri, 20 Nov 2026 06:45:00', weight: 80.5 });
    expect(MEASUREMENT.fromApp({ ...weight, type: 'body_fat', value: 19.5, unit: '%' })).toEqual({
      timestamp: 'Fri, 20 Nov 2026 06:45:00',
      fat_percent: 19.5,
    });
  });

  it('refuses measurements a weight set cannot hold', () => {
    expect(MEASUREMENT.fromApp({ ...weight, type: 'waist', value: 80, unit: 'cm' })).toEqual({
      reject: 'weight sets hold weight and body fat only, not waist',
    });
  });
});
