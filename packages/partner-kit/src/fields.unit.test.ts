import { describe, expect, it } from 'vitest';
import { Exercise, Food, Measurement } from './containers.js';
import { fieldEncoder, fieldMapper, rawAt, rawReader } from './fields.js';
import { codeTable } from './raw.js';
import { pollPage } from './validate.js';

const SPORTS = codeTable({ Run: 'running', Ride: 'cycling' }, { app: 'other', partner: 'Workout' });

/** An activity described as a table: UTC start at an offset in seconds, a unit named by another field. */
const toExercise = fieldMapper('exercise', {
  label: 'activity',
  id: 'id',
  version: ['modified', 'end'],
  skip: (r) => r.text('sport') === 'Transport',
  at: { from: 'start', format: 'iso', zone: { from: 'offset', unit: 's' } },
  fields: {
    activityType: { code: ['sport', 'legacy_sport'], table: SPORTS },
    name: 'title',
    durationSeconds: { from: 'duration_ms', unit: 'ms', round: 0 },
    calories: 'kcal',
    distanceMeters: { from: 'distance', unit: { from: 'distance_unit', default: 'km' }, round: 0 },
  },
});
const run = {
  id: 7,
  end: 1700,
  sport: 'Run',
  title: 'Morning run',
  start: '2024-03-01T06:00:00Z',
  offset: 3600,
  duration_ms: 1_800_400,
  kcal: 320,
  distance: 5.2,
};
const poll = (raw: unknown) => pollPage('exercise', [raw], (r) => toExercise(r));

describe('rawReader', () => {
  it('reads dot paths tolerantly and refuses a field of the wrong type by name', () => {
    const r = rawReader({ a: { b: [{ c: 2 }] }, s: '  x ', blank: ' ', n: null, big: 23138311640030064 });
    expect([r.num('a.b.0.c'), r.text('s'), r.text('blank'), r.get('n'), r.num('missing.deep')]).toEqual([
      2,
      'x',
      undefined,
      undefined,
      undefined,
    ]);
    expect(r.id('big')).toBe('23138311640030064');
    expect(() => r.num('s')).toThrow('s is not a number: "  x "');
    expect(() => r.id('s')).toThrow(/s is not an id/);
    expect(rawAt({ constructor: 1 }, 'toString')).toBeUndefined();
  });
});

describe('fieldMapper', () => {
  it('maps a table: id, version, code table, units, rounding, the date at its offset', () => {
    expect(poll(run).items).toEqual([
      {
        externalId: '7',
        externalVersion: '1700',
        data: Exercise.parse({
          kind: 'exercise',
          activityType: 'running',
          name: 'Morning run',
          startedAt: '2024-03-01T07:00:00+01:00',
          utcOffsetMinutes: 60,
          durationSeconds: 1800,
          calories: 320,
          distanceMeters: 5200,
        }),
      },
    ]);
    const miles = poll({ ...run, distance: 2, distance_unit: 'mi', sport: undefined, legacy_sport: 'Ride' });
    expect(miles.items[0]?.data).toMatchObject({ distanceMeters: 3219, activityType: 'cycling' });
  });

  it('skips what is not an item of the kind', () => {
    expect(poll({ ...run, sport: 'Transport' })).toMatchObject({ items: [], rejected: [] });
  });

  it('rejects with reasons: no id, no readable date, a wrong field type, what the container refuses', () => {
    const { id: _i, ...noId } = run;
    expect(poll(noId).rejected[0]?.reason).toBe('activity has no id');
    const { start: _s, ...noStart } = run;
    expect(poll(noStart).rejected[0]).toMatchObject({
      externalId: '7',
      reason: 'activity has no readable start: absent',
    });
    expect(poll({ ...run, start: 'soon' }).rejected[0]?.reason).toBe(
      'activity has no readable start: "soon"',
    );
    expect(poll({ ...run, kcal: 'lots' }).rejected[0]).toMatchObject({
      externalId: '7',
      reason: 'activity: kcal is not a number: "lots"',
    });
    expect(poll({ ...run, distance_unit: 'furlong' }).rejected[0]?.reason).toBe(
      'unknown length unit "furlong"',
    );
    const { duration_ms: _d, ...noDuration } = run;
    expect(poll(noDuration).rejected[0]?.reason).toBe('exercise has no duration');
  });

  it('reads epoch seconds in a zone named by a field, or given as context', () => {
    const toWeight = fieldMapper<{ zone: string }>('measurement', {
      label: 'measure',
      id: 'grp',
      reject: (r) => (r.num('attrib') === 4 ? 'typed in at sign-up' : undefined),
      at: { from: 'date', format: 'epoch', zone: (_r, ctx) => ctx.zone },
      fields: { type: { is: 'weight' }, value: { from: 'lb', unit: 'lb' } },
    });
    const page = pollPage(
      'measurement',
      [
        { grp: 1, date: 1609459200, lb: 150 },
        { grp: 2, attrib: 4 },
      ],
      (raw) => toWeight(raw, { zone: 'America/New_York' }),
    );
    expect(page.items[0]?.data).toEqual(
      Measurement.parse({
        kind: 'measurement',
        type: 'weight',
        value: 68.0388555,
        unit: 'kg',
        measuredAt: '2020-12-31T19:00:00-05:00',
        utcOffsetMinutes: -300,
        source: { value: 150, unit: 'lb' },
      }),
    );
    expect(page.rejected).toEqual([
      { externalId: '2', reason: 'typed in at sign-up', raw: { grp: 2, attrib: 4 } },
    ]);
  });

  it('reads wall-clock dates and times, RFC 2822-style local times, ISO basic and UTC instants', () => {
    const food = fieldMapper<number>('food', {
      label: 'food log',
      id: 'logId',
      at: { from: ['day', 'clock'], format: 'local', zone: (_r, offset) => offset, defaultTime: '12:00:00' },
      fields: { name: 'food.name', meal: { is: 'other' }, calories: 'food.kcal' },
    });
    const log = { logId: '9', day: '2024-03-01', food: { name: 'Soup', kcal: 210 } };
    expect(pollPage('food', [log], (raw) => food(raw, 120)).items[0]?.data).toEqual(
      Food.parse({
        kind: 'food',
        name: 'Soup',
        meal: 'other',
        consumedAt: '2024-03-01T12:00:00+02:00',
        utcOffsetMinutes: 120,
        calories: 210,
      }),
    );
    const at = (
      format: 'rfc2822-local' | 'iso-basic' | 'utc',
      value: string,
      zone?: { from: string; unit: 'h' },
    ) =>
      fieldMapper('measurement', {
        label: 'x',
        id: 'id',
        at: { from: 'at', format, ...(zone && { zone }) },
        fields: { type: { is: 'body_fat' }, value: 'v', unit: { is: '%' } },
      })({ id: 1, at: value, v: 20, tz: -5 });
    expect(at('rfc2822-local', 'Sun, 19 Oct 2014 13:17:27', { from: 'tz', unit: 'h' })).toMatchObject({
      candidate: { measuredAt: '2014-10-19T13:17:27-05:00', utcOffsetMinutes: -300 },
    });
    expect(at('iso-basic', '20121212T071430+0200')).toMatchObject({
      candidate: { measuredAt: '2012-12-12T07:14:30+02:00', utcOffsetMinutes: 120 },
    });
    expect(at('utc', '2018-02-06T20:32:20+01:00')).toMatchObject({
      candidate: { measuredAt: '2018-02-06T19:32:20.000Z', utcOffsetMinutes: 0 },
    });
    expect(at('iso-basic', '2012-12-12')).toEqual({
      externalId: '1',
      reject: 'x has no readable at: "2012-12-12"',
    });
  });

  it('a computed id that cannot be computed counts as absent', () => {
    const map = fieldMapper('exercise', {
      label: 'thing',
      id: (r) => `w:${new Date(r.text('at') ?? '').toISOString()}`,
      at: { from: 'at', format: 'iso' },
      fields: {},
    });
    expect(map({})).toEqual({ reject: 'thing has no readable at: absent' });
    // A field of the wrong type inside a computed id is named, not hidden.
    const typed = fieldMapper('exercise', {
      label: 'log',
      id: (r) => r.id('logId') && `w:${r.id('logId')}`,
      at: { from: 'at', format: 'iso' },
      fields: {},
    });
    expect(typed({ logId: -3, at: '2024-03-01T07:00:00Z' })).toEqual({
      reject: 'log: logId is not an id: -3',
    });
    // `iso` without a zone needs the offset in the text; a version may be a text.
    expect(typed({ logId: 3, at: '2024-03-01T07:00:00' })).toEqual({
      externalId: 'w:3',
      reject: 'log has no readable at: "2024-03-01T07:00:00"',
    });
    const versioned = fieldMapper('exercise', {
      label: 'log',
      id: 'logId',
      version: 'modified',
      at: { from: 'at', format: 'iso' },
      fields: {},
    });
    expect(
      versioned({ logId: 3, at: '2024-03-01T07:00:00-05:00', modified: '2024-03-02T00:00:00Z' }),
    ).toMatchObject({
      externalVersion: '2024-03-02T00:00:00Z',
      candidate: { startedAt: '2024-03-01T07:00:00-05:00', utcOffsetMinutes: -300 },
    });
  });

  it('reads the id at `id` unless told where it is', () => {
    const map = fieldMapper('exercise', { label: 'log', at: { from: 'at', format: 'iso' }, fields: {} });
    const at = '2024-03-01T07:00:00Z';
    expect(map({ id: 12, logId: 3, at })).toMatchObject({ externalId: '12' });
    expect(map({ logId: 3, at })).toEqual({ reject: 'log has no id' });
    expect(map({ id: 'x', at })).toEqual({ reject: 'log: id is not an id: "x"' });
  });

  it('without a zone, reads local and epoch times in the context when it is a zone, else in UTC', () => {
    const local = fieldMapper<unknown>('measurement', {
      label: 'log',
      at: { from: ['date', 'time'], format: 'local', defaultTime: '23:59:59' },
      fields: { type: { is: 'weight' }, value: 'kg', unit: { is: 'kg' } },
    });
    const log = { id: 1, date: '2024-03-01', time: '07:10:00', kg: 80 };
    const when = (mapped: unknown) => {
      const c = (mapped as { candidate?: { measuredAt: string; utcOffsetMinutes: number } }).candidate;
      return [c?.measuredAt, c?.utcOffsetMinutes];
    };
    // A number is an offset in minutes, a text an IANA name.
    expect(when(local(log, 330))).toEqual(['2024-03-01T07:10:00+05:30', 330]);
    expect(when(local(log, 'America/New_York'))).toEqual(['2024-03-01T07:10:00-05:00', -300]);
    // No context, or one that is not a zone: UTC.
    expect(when(local(log))).toEqual(['2024-03-01T07:10:00+00:00', 0]);
    expect(when(local(log, { zone: 'Europe/Berlin' }))).toEqual(['2024-03-01T07:10:00+00:00', 0]);
    expect(when(local(log, Number.NaN))).toEqual(['2024-03-01T07:10:00+00:00', 0]);
    // A zone given in the spec wins over the context.
    const fixed = fieldMapper<number>('measurement', {
      label: 'log',
      at: { from: 'at', format: 'epoch', zone: 60 },
      fields: { type: { is: 'weight' }, value: 'kg', unit: { is: 'kg' } },
    });
    expect(when(fixed({ id: 1, at: 1709276400, kg: 80 }, -300))).toEqual(['2024-03-01T08:00:00+01:00', 60]);
    const epoch = fieldMapper<string>('measurement', {
      label: 'log',
      at: { from: 'at', format: 'epoch' },
      fields: { type: { is: 'weight' }, value: 'kg', unit: { is: 'kg' } },
    });
    expect(when(epoch({ id: 1, at: 1709276400, kg: 80 }, 'Asia/Tokyo'))).toEqual([
      '2024-03-01T16:00:00+09:00',
      540,
    ]);
    // An unknown zone name rejects the item, as a fixed one does.
    expect(epoch({ id: 1, at: 1709276400, kg: 80 }, 'Mars/Olympus')).toEqual({
      externalId: '1',
      reject: 'unknown time zone "Mars/Olympus"',
    });
    // `iso` keeps the offset written in the text: the context is not its zone.
    const iso = fieldMapper<number>('exercise', {
      label: 'log',
      at: { from: 'at', format: 'iso' },
      fields: {},
    });
    expect(iso({ id: 2, at: '2024-03-01T07:00:00-05:00' }, 120)).toMatchObject({
      candidate: { startedAt: '2024-03-01T07:00:00-05:00', utcOffsetMinutes: -300 },
    });
  });
});

describe('fieldMapper powers of ten', () => {
  it('scales a value by the power of ten another field names, before the unit conversion', () => {
    const map = fieldMapper('measurement', {
      label: 'measure',
      id: 'id',
      at: { from: 'date', format: 'epoch' },
      fields: { type: { is: 'height' }, unit: { is: 'm' }, value: { from: 'm.value', exponent: 'm.unit' } },
    });
    expect(map({ id: 1, date: 1_700_000_000, m: { value: 178, unit: -2 } })).toMatchObject({
      candidate: { value: 178, unit: 'cm', source: { value: 1.78, unit: 'm' } },
    });
  });
});

describe('fieldMapper spans and codes', () => {
  it('takes a duration from a start and an end, and reads numeric or text codes', () => {
    const TYPES = codeTable({ 2: 'running', walk: 'walking' }, { app: 'other', partner: '0' });
    const map = fieldMapper('exercise', {
      label: 'workout',
      id: 'id',
      at: { from: 'startdate', format: 'epoch', zone: { from: 'timezone', default: 'UTC' } },
      fields: {
        activityType: { code: 'category', table: TYPES },
        name: { is: 'Workout' },
        durationSeconds: { span: ['startdate', 'enddate'] },
        calories: 'kcal',
      },
    });
    const w = {
      id: 3,
      startdate: 1_690_448_400,
      enddate: 1_690_451_460,
      category: 2,
      kcal: 10,
      timezone: 'Europe/Paris',
    };
    expect(map(w)).toMatchObject({
      candidate: { activityType: 'running', durationSeconds: 3060, startedAt: '2023-07-27T11:00:00+02:00' },
    });
    expect(map({ ...w, category: 'walk', timezone: undefined })).toMatchObject({
      candidate: { activityType: 'walking', startedAt: '2023-07-27T09:00:00+00:00' },
    });
    const { enddate: _e, ...open } = w;
    expect(pollPage('exercise', [open], (raw) => map(raw)).rejected[0]?.reason).toBe(
      'exercise has no duration',
    );
    expect(map({ ...w, category: { nested: true } })).toEqual({
      externalId: '3',
      reject: 'workout: category is not a code: {"nested":true}',
    });
  });
});

describe('fieldEncoder', () => {
  const e = Exercise.parse({
    kind: 'exercise',
    activityType: 'cycling',
    name: 'Commute',
    startedAt: '2024-03-01T06:05:00Z',
    utcOffsetMinutes: 60,
    durationSeconds: 1800,
    calories: 250,
    distanceMeters: 5200,
  });

  it('writes a table: fields, code table, local date-times at the item offset, units, decimals, constants', () => {
    const encode = fieldEncoder<Exercise>({
      refuse: (x) => (x.calories === undefined ? 'needs calories' : undefined),
      fields: {
        title: 'name',
        sport: { code: 'activityType', table: SPORTS },
        start: { time: 'startedAt', format: 'local' },
        day: { time: 'startedAt', format: 'date' },
        clock: { time: 'startedAt', format: 'time' },
        when: { time: 'startedAt', format: 'rfc2822-local' },
        epoch: { time: 'startedAt', format: 'epoch' },
        km: { from: 'distanceMeters', unit: 'km', decimals: 3 },
        ms: { from: 'durationSeconds', unit: 'ms' },
        perHour: 'caloriesPerHour',
        share: { is: false },
        kcal: (x) => Math.round(x.calories ?? 0),
      },
    });
    expect(encode(e)).toEqual({
      title: 'Commute',
      sport: 'Ride',
      start: '2024-03-01T07:05:00',
      day: '2024-03-01',
      clock: '07:05:00',
      when: 'Fri, 1 Mar 2024 07:05:00',
      epoch: 1709273100,
      km: '5.200',
      ms: 1_800_000,
      share: false,
      kcal: 250,
    });
    const { calories: _c, ...noCalories } = e;
    expect(encode({ ...noCalories, caloriesPerHour: 500 })).toEqual({ reject: 'needs calories' });
  });
});
