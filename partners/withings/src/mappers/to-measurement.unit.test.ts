import { eachOf, pollPage } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import getmeas from '../fixtures/getmeas.json' with { type: 'json' };
import { toMeasurement } from './to-measurement.js';

/** The mapping as the measurement resource runs it: split, map, validate with the kit. */
const toMeasurements = (raw: unknown, timezone?: string) => {
  const { items, rejected } = pollPage('measurement', eachOf('measures')(raw), (r) =>
    toMeasurement(r, timezone),
  );
  return { items, rejected };
};

const groups = getmeas.body.measuregrps;
const group = (over: Record<string, unknown>) => ({ ...groups[0], ...over });

describe('toMeasurements', () => {
  it('maps a manual weight group: value x 10^unit, local time with the user offset', () => {
    const { items, rejected } = toMeasurements(groups[0], getmeas.body.timezone);
    expect(rejected).toEqual([]);
    expect(items).toEqual([
      {
        externalId: '2726375351-1',
        externalVersion: '1620237217',
        data: {
          kind: 'measurement',
          type: 'weight',
          value: 56.3,
          unit: 'kg',
          measuredAt: '2021-05-05T19:53:36+02:00',
          utcOffsetMinutes: 120,
          source: { value: 56.3, unit: 'kg' },
        },
      },
    ]);
  });

  it('maps weight and fat ratio from one scale group', () => {
    const { items } = toMeasurements(groups[1], 'Europe/Berlin');
    expect(items.map((i) => [i.externalId, i.data.type, i.data.value, i.data.unit])).toEqual([
      ['2726381204-1', 'weight', 72.45, 'kg'],
      ['2726381204-6', 'body_fat', 18.5, '%'],
    ]);
  });

  it('converts height from metres to centimetres and keeps the source quantity', () => {
    const [item] = toMeasurements(groups[2], 'Europe/Berlin').items;
    expect(item?.data).toMatchObject({
      type: 'height',
      value: 178,
      unit: 'cm',
      source: { value: 1.78, unit: 'm' },
    });
    expect(item?.data.measuredAt).toBe('2021-01-01T01:00:00+01:00');
    expect(item?.externalVersion).toBe('1620290000');
  });

  it('rejects ambiguous device measures (attrib 1) and account-creation values (attrib 4) with a reason', () => {
    const { items, rejected } = toMeasurements(groups[3], 'UTC');
    expect(items).toEqual([]);
    expect(rejected).toEqual([
      {
        externalId: '2726390012-1',
        reason: 'ambiguous device measure (attrib 1)',
        raw: expect.objectContaining({ grpid: 2726390012 }),
      },
    ]);
    expect(toMeasurements(group({ attrib: 4 })).rejected[0]?.reason).toBe('sign-up value (attrib 4)');
  });

  it('ignores objectives (category 2) and measure types it does not import', () => {
    expect(toMeasurements(group({ category: 2 }))).toEqual({ items: [], rejected: [] });
    const fatMass = group({ measures: [{ value: 1340, type: 8, unit: -2 }] });
    expect(toMeasurements(fatMass)).toEqual({ items: [], rejected: [] });
  });

  it('rejects a group without a date', () => {
    const { date: _date, ...noDate } = groups[0]!;
    const { items, rejected } = toMeasurements(noDate, 'UTC');
    expect(items).toEqual([]);
    expect(rejected).toEqual([
      { externalId: '2726375351-1', reason: 'measure group has no readable date: absent', raw: noDate },
    ]);
  });

  it('rejects impossible values with the reason, per measure', () => {
    const bad = group({
      measures: [
        { value: 700000, type: 1, unit: -3 },
        { value: 95, type: 6, unit: 0 },
        { value: 180, type: 4, unit: -2 },
      ],
    });
    const { items, rejected } = toMeasurements(bad, 'UTC');
    expect(items.map((i) => i.data.type)).toEqual(['height']);
    expect(rejected.map((r) => [r.externalId, r.reason])).toEqual([
      ['2726375351-1', 'measurement: weight 700 kg is outside 1..650'],
      ['2726375351-6', 'measurement: body_fat 95 % is outside 1..75'],
    ]);
  });

  it('rejects non-integer values and unknown time zones', () => {
    expect(
      toMeasurements(group({ measures: [{ value: 'heavy', type: 1, unit: -3 }] })).rejected[0]?.reason,
    ).toMatch(/measures\.0\.value/);
    expect(toMeasurements(groups[0], 'Mars/Olympus').rejected[0]?.reason).toBe(
      'unknown time zone "Mars/Olympus"',
    );
  });

  it('computes the offset at the measure time (winter vs summer)', () => {
    const winter = toMeasurements(group({ date: 1609459200 }), 'America/New_York').items[0]?.data;
    expect(winter).toMatchObject({ measuredAt: '2020-12-31T19:00:00-05:00', utcOffsetMinutes: -300 });
    const india = toMeasurements(groups[0], 'Asia/Kolkata').items[0]?.data;
    expect(india).toMatchObject({ measuredAt: '2021-05-05T23:23:36+05:30', utcOffsetMinutes: 330 });
  });
});
