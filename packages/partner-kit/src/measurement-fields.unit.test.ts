import { describe, expect, it } from 'vitest';
import type { Measurement } from './containers.js';
import { fieldEncoder, fieldMapper } from './fields.js';
import { measurementFields } from './measurement-fields.js';
import { twoWayFields } from './two-way-fields.js';
import { pollPage } from './validate.js';

const SET = measurementFields({ weight: ['weight', 'lb'], body_fat: ['fat', 'fraction'] });
const toMeasurement = fieldMapper('measurement', {
  label: 'set',
  id: SET.id((r) => r.id('id')),
  reject: SET.reject('set'),
  at: { from: 'at', format: 'utc' },
  fields: SET.fields,
});
const map = (raw: unknown) => pollPage('measurement', SET.split(raw), toMeasurement);
const at = '2024-03-01T07:00:00.000Z';

describe('measurementFields: reading', () => {
  it('splits a record holding both fields into one measurement each, converted to metric, named <id>#<type>', () => {
    const page = map({ id: 7, at, weight: 176.4, fat: 0.2, bmi: 24 });
    expect(page.rejected).toEqual([]);
    expect(page.items.map((i) => [i.externalId, i.data])).toEqual([
      [
        '7#weight',
        expect.objectContaining({
          type: 'weight',
          value: 80.013694068,
          unit: 'kg',
          source: { value: 176.4, unit: 'lb' },
        }),
      ],
      ['7#body_fat', expect.objectContaining({ type: 'body_fat', value: 20, unit: '%' })],
    ]);
  });

  it('keeps a record holding one field whole, and rejects one holding none with the record id', () => {
    expect(SET.split({ id: 1, weight: 150, fat: null })).toEqual([{ id: 1, weight: 150, fat: null }]);
    expect(map({ id: 2, at, fat: 0.25 }).items.map((i) => i.externalId)).toEqual(['2#body_fat']);
    expect(map({ id: 3, at, bmi: 24 }).rejected).toMatchObject([
      { externalId: '3', reason: 'set has neither weight nor fat' },
    ]);
    const one = measurementFields({ waist: ['waist', 'cm'] });
    expect(one.reject('log')({ get: () => undefined, num: () => undefined } as never, undefined)).toBe(
      'log has no waist',
    );
  });

  it('validates each half on its own: an impossible weight is rejected, the fat kept', () => {
    const page = map({ id: 4, at, weight: 2000, fat: 0.3 });
    expect(page.items.map((i) => i.externalId)).toEqual(['4#body_fat']);
    expect(page.rejected).toMatchObject([
      { externalId: '4#weight', reason: expect.stringMatching(/outside/) },
    ]);
  });

  it('names the field of each type for shared records', () => {
    expect(SET.shared.fields).toEqual({ weight: 'weight', body_fat: 'fat' });
    expect(
      SET.shared.keyOf({
        kind: 'measurement',
        type: 'body_fat',
        value: 20,
        unit: '%',
        measuredAt: at,
        utcOffsetMinutes: 0,
      }),
    ).toBe('body_fat');
  });
});

describe('measurementFields: writing', () => {
  const weight: Measurement = {
    kind: 'measurement',
    type: 'weight',
    value: 80,
    unit: 'kg',
    measuredAt: at,
    utcOffsetMinutes: 0,
  };
  const encode = fieldEncoder<Measurement>({
    refuse: (m) => (SET.holds(m) ? undefined : `no field for ${m.type}`),
    fields: SET.encode({ decimals: 2 }),
  });

  it("writes the measurement in its type's field and the partner's unit, leaving the other out", () => {
    expect(encode(weight)).toEqual({ weight: '176.37' });
    expect(encode({ ...weight, type: 'body_fat', value: 20, unit: '%' })).toEqual({ fat: '0.20' });
    expect(
      measurementFields({ height: ['height', 'm'] })
        .encode()
        .height?.({ ...weight, type: 'height', value: 180, unit: 'cm' }),
    ).toBe(1.8);
  });

  it('refuses a type the record has no field for, and names the field a body holds', () => {
    expect(encode({ ...weight, type: 'waist', value: 80, unit: 'cm' })).toEqual({
      reject: 'no field for waist',
    });
    expect(SET.fieldOf({ fat: '0.20' })).toBe('fat');
    expect(SET.fieldOf({ other: 1 })).toBeUndefined();
  });
});

describe('measurementFields: both ways', () => {
  const SETS = measurementFields({
    weight: ['weight', 'kg'],
    height: ['height', 'm'],
    body_fat: ['fat', '%'],
  });
  const sets = twoWayFields('measurement', {
    ...SETS.twoWay('body set', (r) => r.id('id'), { decimals: 1 }),
    refuse: SETS.refuse('Body sets'),
    at: { from: 'at', format: 'epoch' },
  });
  const fat: Measurement = {
    kind: 'measurement',
    type: 'body_fat',
    value: 21.25,
    unit: '%',
    measuredAt: '2024-03-01T07:00:00+00:00',
    utcOffsetMinutes: 0,
  };

  it('reads a record holding one field as its measurement, named <id>#<type>, and rejects one holding none', () => {
    const page = pollPage('measurement', SETS.split({ id: 5, at: 1_709_276_400, height: 1.81 }), sets.toApp);
    expect(page.items).toEqual([
      {
        externalId: '5#height',
        data: expect.objectContaining({ type: 'height', value: 181, unit: 'cm', measuredAt: fat.measuredAt }),
      },
    ]);
    expect(pollPage('measurement', [{ id: 6, at: 1_709_276_400 }], sets.toApp).rejected).toMatchObject([
      { externalId: '6', reason: 'body set has none of weight, height, fat' },
    ]);
  });

  it('writes the measurement in its field, and refuses a type the record has no field for, listing those it has', () => {
    expect(sets.fromApp(fat)).toEqual({ at: 1_709_276_400, fat: '21.3' });
    expect(sets.fromApp({ ...fat, type: 'waist', value: 80, unit: 'cm' })).toEqual({
      reject: 'Body sets hold weight, height, and body fat only, not waist',
    });
    expect(
      measurementFields({ weight: ['w', 'kg'], body_fat: ['f', '%'] }).refuse('Sets')(fat),
    ).toBeUndefined();
  });
});
