import { describe, expect, it } from 'vitest';
import { fieldMapper } from './fields.js';
import { measurementCodes } from './measurement-codes.js';

// A reading whose code selects the measurement type and the unit it is in, mapped by `fieldMapper`.

const codes = measurementCodes('reading.type', {
  1: ['weight', 'lb'],
  4: ['height', 'in'],
  6: ['body_fat', '%'],
});
const toMeasurement = fieldMapper('measurement', {
  label: 'reading',
  skip: (r) => !codes.has(r),
  id: 'id',
  at: { from: 'at', format: 'epoch' },
  fields: { ...codes.fields, value: 'reading.value' },
});
const reading = (type: unknown, value: number) => ({ id: 7, at: 1_700_000_000, reading: { type, value } });

describe('measurementCodes', () => {
  it('takes the type and the unit from the code, converted to the metric unit of the type', () => {
    expect(toMeasurement(reading(1, 220))).toMatchObject({
      externalId: '7',
      candidate: { type: 'weight', value: 99.7903214, unit: 'kg', source: { value: 220, unit: 'lb' } },
    });
    expect(toMeasurement(reading(4, 70))).toMatchObject({
      candidate: { type: 'height', value: 177.8, unit: 'cm' },
    });
    expect(toMeasurement(reading(6, 21.5))).toMatchObject({ candidate: { type: 'body_fat', value: 21.5 } });
  });

  it('has the codes of the table only: the others are left out', () => {
    expect(toMeasurement(reading(5, 10))).toBeNull();
    expect(toMeasurement({ id: 7, at: 1_700_000_000 })).toBeNull();
    expect(codes.table[4]).toEqual(['height', 'in']);
  });

  it('reads integer codes as numbers: a text there rejects the item', () => {
    expect(toMeasurement(reading('1', 220))).toEqual({
      reject: 'reading: reading.type is not a number: "1"',
    });
  });

  it('reads text codes as codes', () => {
    const named = measurementCodes('kind', { 'body.weight': ['weight', 'kg'] });
    const r = {
      raw: null,
      get: () => undefined,
      num: () => undefined,
      text: () => undefined,
      id: () => undefined,
    };
    expect(named.fields.type({ ...r, code: () => 'body.weight' })).toBe('weight');
    expect(named.has({ ...r, code: () => 'body.height' })).toBe(false);
  });
});
