import { describe, expect, it } from 'vitest';
import type { Exercise, Food } from './containers.js';
import { codeTable } from './raw.js';
import { twoWayFields } from './two-way-fields.js';
import { pollPage } from './validate.js';

const MEALS = codeTable({ 1: 'breakfast', 3: 'lunch' }, { app: 'other', partner: '7' });
const SPORTS = codeTable({ Run: 'running', Ride: 'cycling' }, { app: 'other', partner: 'Workout' });

/** A workout declared once: local wall clock, minutes both ways, a code table, and what only one way has. */
const workout = twoWayFields('exercise', {
  label: 'workout',
  id: 'id',
  at: { from: 'start', format: 'local', zone: { from: 'zone' } },
  fields: {
    activityType: { field: 'sport', table: SPORTS },
    name: 'title',
    durationSeconds: { field: 'minutes', unit: 'min', round: 0 },
    calories: 'kcal',
  },
  read: { distanceMeters: { from: 'km', unit: 'km' } },
  write: { private: { is: true } },
});

const raw = {
  id: 12,
  start: '2024-03-09T07:00:00',
  zone: 'Europe/Paris',
  sport: 'Ride',
  title: 'Commute',
  minutes: 30.004,
  kcal: 250,
  km: 8.5,
};
const ride: Exercise = {
  kind: 'exercise',
  activityType: 'cycling',
  name: 'Commute',
  startedAt: '2024-03-09T07:00:00+01:00',
  utcOffsetMinutes: 60,
  durationSeconds: 1800,
  calories: 250,
  distanceMeters: 8500,
};

describe('twoWayFields', () => {
  it('reads with the shared correspondences and the read-only fields (units converted, rounded)', () => {
    expect(pollPage('exercise', [raw], workout.toApp).items).toEqual([{ externalId: '12', data: ride }]);
  });

  it('writes the same correspondences back (the date at its path, the partner unit) with the write-only fields', () => {
    expect(workout.fromApp(ride)).toEqual({
      start: '2024-03-09T07:00:00',
      sport: 'Ride',
      title: 'Commute',
      minutes: 30,
      kcal: 250,
      private: true,
    });
    expect(workout.fromApp({ ...ride, activityType: 'rowing' })).toMatchObject({ sport: 'Workout' });
  });

  it('round-trips an item through both directions', () => {
    const body = workout.fromApp(ride);
    const back = pollPage('exercise', [{ ...body, id: 12, zone: 'Europe/Paris', km: 8.5 }], workout.toApp);
    expect(back.items[0]?.data).toEqual(ride);
  });

  it('writes the date as its fields, and refuses what the partner cannot hold', () => {
    const meals = twoWayFields('food', {
      label: 'meal',
      id: 'id',
      at: { from: ['day', 'time'], format: 'local' },
      fields: { calories: 'energy' },
      read: { name: { is: 'Meal' }, meal: { is: 'other' } },
      refuse: (f) => (f.meal === 'snack' ? 'snacks are not kept' : undefined),
    });
    const lunch: Food = {
      kind: 'food',
      name: 'Soup',
      meal: 'lunch',
      consumedAt: '2024-03-09T12:30:00-05:00',
      utcOffsetMinutes: -300,
      calories: 99_999,
    };
    // `[date, time]` paths are written as both (the write path, not the encoder, re-checks the item).
    expect(meals.fromApp(lunch)).toEqual({ day: '2024-03-09', time: '12:30:00', energy: 99_999 });
    expect(meals.fromApp({ ...lunch, meal: 'snack' })).toEqual({ reject: 'snacks are not kept' });
    expect(meals.kind).toBe('food');
  });

  it('leaves the date to `write` when its format has no writer, and lets either direction override a field', () => {
    const activity = twoWayFields('exercise', {
      label: 'activity',
      id: 'id',
      at: { from: 'start_date', format: 'iso' },
      fields: { name: 'name', durationSeconds: 'elapsed' },
      read: { activityType: { is: 'running' }, calories: { is: 0 }, name: { is: 'Run' } },
      write: { start_local: { time: 'startedAt', format: 'local' }, name: (e) => e.name.toUpperCase() },
    });
    expect(activity.fromApp(ride)).toEqual({
      start_local: '2024-03-09T07:00:00',
      name: 'COMMUTE',
      elapsed: 1800,
    });
    const read = pollPage(
      'exercise',
      [{ id: 1, start_date: '2024-03-09T07:00:00Z', name: 'x', elapsed: 60 }],
      activity.toApp,
    );
    expect(read.items[0]?.data).toMatchObject({ name: 'Run', durationSeconds: 60 });
  });

  it('reads a field listed under several names from the first present and writes it under the first', () => {
    const renamed = twoWayFields('exercise', {
      label: 'workout',
      id: 'id',
      at: { from: 'start', format: 'local', zone: { from: 'zone' } },
      fields: {
        activityType: { field: ['sport', 'legacy_sport'], table: SPORTS },
        name: 'title',
        durationSeconds: { field: ['minutes', 'mins'], unit: 'min', round: 0 },
        calories: 'kcal',
      },
    });
    const { sport: _s, minutes: _m, ...legacy } = raw;
    const old = pollPage('exercise', [{ ...legacy, legacy_sport: 'Run', mins: 30 }], renamed.toApp);
    expect(old.items[0]?.data).toMatchObject({ activityType: 'running', durationSeconds: 1800 });
    expect(
      pollPage('exercise', [{ ...raw, legacy_sport: 'Run' }], renamed.toApp).items[0]?.data,
    ).toMatchObject({
      activityType: 'cycling',
    });
    expect(renamed.fromApp(ride)).toEqual({
      start: '2024-03-09T07:00:00',
      sport: 'Ride',
      title: 'Commute',
      minutes: 30,
      kcal: 250,
    });
  });

  it('reads a field under one name and writes it under another, and writes the date where `dateAs` says', () => {
    // Entries come back nested under `entry`, dated by day; they are written flat.
    const logged = twoWayFields<'food', number>('food', {
      label: 'diary entry',
      at: { from: 'day', format: 'local', defaultTime: '12:00:00' },
      dateAs: ['on'],
      fields: {
        name: { read: 'entry.title', write: 'title' },
        meal: { read: 'entry.course', write: 'course', table: MEALS },
        calories: { read: ['totals.kcal', 'entry.kcal'], write: 'energy', unit: 'kcal' },
      },
    });
    const raw = { id: 7, day: '2024-03-09', entry: { title: 'Soup', course: 3, kcal: 120 } };
    const soup: Food = {
      kind: 'food',
      name: 'Soup',
      meal: 'lunch',
      consumedAt: '2024-03-09T12:00:00+01:00',
      utcOffsetMinutes: 60,
      calories: 120,
    };
    expect(pollPage('food', [raw], (r) => logged.toApp(r, 60)).items).toEqual([
      { externalId: '7', data: soup },
    ]);
    // Not at `day` (where it is read) but as the local date under `on`.
    expect(logged.fromApp(soup)).toEqual({ on: '2024-03-09', title: 'Soup', course: '3', energy: 120 });
    const timed = twoWayFields('exercise', {
      label: 'activity',
      at: { from: 'startTime', format: 'iso' },
      dateAs: ['date', 'startTime'],
      fields: { name: 'name', durationSeconds: { read: 'duration', write: 'durationMillis', unit: 'ms' } },
      read: { activityType: { is: 'running' }, calories: { is: 1 } },
    });
    expect(timed.fromApp(ride)).toEqual({
      date: '2024-03-09',
      startTime: '07:00:00',
      name: 'Commute',
      durationMillis: 1_800_000,
    });
  });
});
