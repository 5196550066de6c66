import type { DataKind } from '@healthsync/contracts';
import {
  type Container,
  type Exercise,
  type Food,
  MEALS,
  MEASUREMENT_TYPES,
  MEASUREMENT_UNITS,
  type Measurement,
} from '@healthsync/partner-kit/declaration';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  containerColumns,
  formatWithOffset,
  kindSpecs,
  rowToContainer,
  validateContainer,
} from './mapping.js';

/**
 * What PostgreSQL hands back for the columns a container was stored as: timestamptz as a Date,
 * numeric as its decimal text, integers as numbers, plus the row's own columns.
 */
function storedRow(
  kind: DataKind,
  container: Container,
  extra: { id: string; userId: string; version: string; deleted?: boolean },
) {
  const row: Record<string, unknown> = {
    id: extra.id,
    user_id: extra.userId,
    version: extra.version,
    deleted: extra.deleted ?? false,
  };
  const columns = containerColumns(container);
  for (const [name, type] of kindSpecs[kind].columns) {
    const value = columns[name];
    if (value === null || value === undefined) row[name] = null;
    else if (type === 'timestamptz') row[name] = new Date(String(value));
    else if (type === 'numeric') row[name] = String(value);
    else row[name] = value;
  }
  return row;
}

const offsetArb = fc.integer({ min: -14 * 60, max: 14 * 60 });
const instantArb = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })
  .map((ms) => new Date(ms));
/** A time string with its own offset (it need not be the same as utcOffsetMinutes). */
const timeArb = fc.tuple(instantArb, offsetArb).map(([d, off]) => formatWithOffset(d, off));
const textArb = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0);
const amount = (max: number) => fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true });

const measurementArb: fc.Arbitrary<Measurement> = fc.constantFrom(...MEASUREMENT_TYPES).chain((type) =>
  fc.record({
    kind: fc.constant('measurement' as const),
    type: fc.constant(type),
    value: fc.double({ min: MEASUREMENT_UNITS[type].min, max: MEASUREMENT_UNITS[type].max, noNaN: true }),
    unit: fc.constant(MEASUREMENT_UNITS[type].unit),
    measuredAt: timeArb,
    utcOffsetMinutes: offsetArb,
  }),
);

const exerciseArb: fc.Arbitrary<Exercise> = fc
  .record(
    {
      kind: fc.constant('exercise' as const),
      activityType: textArb,
      name: textArb,
      startedAt: timeArb,
      utcOffsetMinutes: offsetArb,
      durationSeconds: fc.integer({ min: 1, max: 7 * 24 * 3600 }),
      calories: amount(50_000),
      caloriesPerHour: amount(5_000),
      distanceMeters: amount(2_000_000),
    },
    { requiredKeys: ['kind', 'activityType', 'name', 'startedAt', 'utcOffsetMinutes', 'durationSeconds'] },
  )
  .filter((e) => e.calories !== undefined || e.caloriesPerHour !== undefined);

const foodArb: fc.Arbitrary<Food> = fc.record(
  {
    kind: fc.constant('food' as const),
    name: textArb,
    meal: fc.constantFrom(...MEALS),
    consumedAt: timeArb,
    utcOffsetMinutes: offsetArb,
    calories: amount(20_000),
    proteinGrams: amount(2_000),
    fatGrams: amount(2_000),
    carbsGrams: amount(5_000),
  },
  { requiredKeys: ['kind', 'name', 'meal', 'consumedAt', 'utcOffsetMinutes', 'calories'] },
);

/** The container as it comes back: times in the row's own offset, to the millisecond. */
function expectedBack(c: Container): Container {
  const at = (iso: string) => formatWithOffset(new Date(Date.parse(iso)), c.utcOffsetMinutes);
  switch (c.kind) {
    case 'measurement': {
      const { source: _source, ...rest } = c;
      return { ...rest, measuredAt: at(c.measuredAt) };
    }
    case 'exercise':
      return { ...c, startedAt: at(c.startedAt) };
    case 'food':
      return { ...c, consumedAt: at(c.consumedAt) };
  }
}

describe('formatWithOffset', () => {
  it('writes the local time with the offset', () => {
    const instant = new Date('2026-03-01T07:30:00Z');
    expect(formatWithOffset(instant, 60)).toBe('2026-03-01T08:30:00+01:00');
    expect(formatWithOffset(instant, -300)).toBe('2026-03-01T02:30:00-05:00');
    expect(formatWithOffset(instant, 330)).toBe('2026-03-01T13:00:00+05:30');
    expect(formatWithOffset(instant, 0)).toBe('2026-03-01T07:30:00+00:00');
    expect(formatWithOffset(new Date('2026-03-01T23:59:59.250Z'), 90)).toBe('2026-03-02T01:29:59.250+01:30');
  });

  it('names the same instant it was given', () => {
    fc.assert(
      fc.property(instantArb, offsetArb, (d, off) => {
        expect(Date.parse(formatWithOffset(d, off))).toBe(d.getTime());
      }),
    );
  });
});

describe('container -> row -> container', () => {
  for (const [kind, arb] of [
    ['measurement', measurementArb],
    ['exercise', exerciseArb],
    ['food', foodArb],
  ] as const) {
    it(`keeps every ${kind} field (times as the same instant in the row's offset)`, () => {
      fc.assert(
        fc.property(arb as fc.Arbitrary<Container>, (container) => {
          expect(validateContainer(container).ok).toBe(true);
          const row = storedRow(kind, container, { id: '42', userId: 'u-1', version: '1732300000000001' });
          const back = rowToContainer(kind, row);
          if (!back.ok) throw new Error(back.reason);
          expect(back.value.container).toEqual(expectedBack(container));
          expect(back.value.row.id).toBe('42');
          expect(back.value.row.version).toBe('1732300000000001');
        }),
        { numRuns: 200 },
      );
    });
  }

  it('drops the partner source quantity, which has no column', () => {
    const m: Measurement = {
      kind: 'measurement',
      type: 'weight',
      value: 72.5,
      unit: 'kg',
      measuredAt: '2026-03-01T08:30:00+01:00',
      utcOffsetMinutes: 60,
      source: { value: 159.8, unit: 'lb' },
    };
    const back = rowToContainer(
      'measurement',
      storedRow('measurement', m, { id: '1', userId: 'u', version: '1' }),
    );
    expect(back.ok && back.value.container).toEqual({
      kind: 'measurement',
      type: 'weight',
      value: 72.5,
      unit: 'kg',
      measuredAt: '2026-03-01T08:30:00+01:00',
      utcOffsetMinutes: 60,
    });
  });

  it('stores a measurement type in the kind column and optional amounts as null', () => {
    expect(
      containerColumns({
        kind: 'exercise',
        activityType: 'running',
        name: 'Run',
        startedAt: '2026-03-01T18:00:00+01:00',
        utcOffsetMinutes: 60,
        durationSeconds: 1800,
        caloriesPerHour: 600,
      }),
    ).toEqual({
      activity_type: 'running',
      name: 'Run',
      started_at: '2026-03-01T18:00:00+01:00',
      utc_offset_minutes: 60,
      duration_seconds: 1800,
      calories: null,
      calories_per_hour: 600,
      distance_meters: null,
    });
    expect(
      containerColumns({
        kind: 'measurement',
        type: 'body_fat',
        value: 18.2,
        unit: '%',
        measuredAt: '2026-03-01T07:00:00Z',
        utcOffsetMinutes: 0,
      }),
    ).toMatchObject({ kind: 'body_fat', value: 18.2, unit: '%' });
  });
});

describe('rows the strict schema refuses', () => {
  const exerciseRow = {
    id: '7',
    user_id: 'u-1',
    version: '1',
    deleted: false,
    activity_type: 'running',
    name: 'Run',
    started_at: new Date('2026-03-01T17:00:00Z'),
    utc_offset_minutes: 60,
    duration_seconds: 1800,
    calories: null,
    calories_per_hour: null,
    distance_meters: '5000',
  };

  it('an app exercise without any calories comes back as a reason', () => {
    const back = rowToContainer('exercise', exerciseRow);
    expect(back).toEqual({ ok: false, reason: expect.stringContaining('calories') });
  });

  it('a meal the partners do not know comes back as a reason', () => {
    const back = rowToContainer('food', {
      id: '8',
      user_id: 'u-1',
      version: '1',
      deleted: false,
      consumed_at: new Date('2026-03-01T12:00:00Z'),
      utc_offset_minutes: 0,
      name: 'Apple',
      meal: 'brunch',
      calories: '95',
      protein_grams: null,
      fat_grams: null,
      carbs_grams: null,
    });
    expect(back).toEqual({ ok: false, reason: expect.stringContaining('meal') });
  });

  it('a row with a broken column type is refused, not cast', () => {
    const back = rowToContainer('exercise', { ...exerciseRow, calories: 'lots' });
    expect(back.ok).toBe(false);
  });
});

describe('validateContainer', () => {
  it('refuses unknown kinds, extra fields and out-of-range values with reasons', () => {
    expect(validateContainer({ kind: 'sleep' })).toEqual({
      ok: false,
      reason: expect.stringContaining('kind'),
    });
    expect(validateContainer(null).ok).toBe(false);
    const weight = {
      kind: 'measurement',
      type: 'weight',
      value: 70,
      unit: 'kg',
      measuredAt: '2026-03-01T07:00:00Z',
      utcOffsetMinutes: 0,
    };
    expect(validateContainer(weight).ok).toBe(true);
    expect(validateContainer({ ...weight, extra: 1 }).ok).toBe(false);
    expect(validateContainer({ ...weight, value: 900 })).toEqual({
      ok: false,
      reason: expect.stringContaining('outside'),
    });
    expect(validateContainer({ ...weight, unit: 'lb' }).ok).toBe(false);
    expect(validateContainer({ ...weight, measuredAt: '2026-03-01 07:00' }).ok).toBe(false);
  });
});
