import { describe, expect, it } from 'vitest';
import { pollPage, validateContainer } from './validate.js';

const weight = {
  kind: 'measurement',
  type: 'weight',
  value: 80.2,
  unit: 'kg',
  measuredAt: '2024-03-01T07:30:00+01:00',
  utcOffsetMinutes: 60,
};
const food = {
  kind: 'food',
  name: 'Apple',
  meal: 'snack',
  consumedAt: '2024-03-01T10:00:00+01:00',
  utcOffsetMinutes: 60,
  calories: 95,
};
const exercise = {
  kind: 'exercise',
  activityType: 'running',
  name: 'Morning run',
  startedAt: '2024-03-01T07:00:00+01:00',
  utcOffsetMinutes: 60,
  durationSeconds: 1800,
  calories: 320,
};

describe('validateContainer', () => {
  it('accepts valid containers', () => {
    expect(validateContainer('measurement', weight)).toEqual({ ok: true, data: weight });
    expect(validateContainer('food', food).ok).toBe(true);
    expect(validateContainer('exercise', exercise).ok).toBe(true);
  });

  it('explains what is wrong in words', () => {
    const { consumedAt: _c, ...undated } = food;
    expect(validateContainer('food', undated)).toEqual({
      ok: false,
      reason: 'food has no date (consumedAt)',
    });
    const { calories: _k, ...noCalories } = food;
    expect(validateContainer('food', noCalories)).toEqual({ ok: false, reason: 'food has no calories' });
    expect(validateContainer('measurement', { ...weight, value: 900 })).toEqual({
      ok: false,
      reason: 'measurement: weight 900 kg is outside 1..650',
    });
    expect(validateContainer('measurement', { ...weight, unit: 'cm' })).toEqual({
      ok: false,
      reason: 'measurement: weight must be in kg',
    });
    const { calories: _e, ...noExerciseCalories } = exercise;
    expect(validateContainer('exercise', noExerciseCalories)).toEqual({
      ok: false,
      reason: 'exercise needs calories, or a duration with calories per hour',
    });
    expect(validateContainer('exercise', { ...exercise, durationSeconds: -5 }).ok).toBe(false);
    expect(validateContainer('exercise', { ...exercise, startedAt: '2024-03-01 07:00' })).toEqual({
      ok: false,
      reason: 'exercise startedAt is not an ISO date-time with offset: "2024-03-01 07:00"',
    });
    expect(validateContainer('food', { ...food, sugar: 3 })).toEqual({
      ok: false,
      reason: 'food has unknown fields: sugar',
    });
    expect(validateContainer('food', weight)).toEqual({
      ok: false,
      reason: 'expected a food, got a measurement',
    });
    expect(validateContainer('food', null)).toEqual({ ok: false, reason: 'food is not an object' });
  });
});

describe('pollPage', () => {
  it('maps, validates and rejects item by item, keeping the raw payload', () => {
    const raws = [
      { id: 1, kg: 80.2 },
      { id: 2, kg: 9000 },
      { id: 3 },
      { id: 4, skip: true },
      { id: 5, boom: true },
    ];
    const page = pollPage(
      'measurement',
      raws,
      (raw) => {
        const r = raw as { id: number; kg?: number; skip?: boolean; boom?: boolean };
        if (r.skip) return null;
        if (r.boom) throw new Error('unknown time zone "X"');
        if (r.kg === undefined) return { externalId: String(r.id), reject: 'no weight in the group' };
        return { externalId: String(r.id), externalVersion: 'v1', candidate: { ...weight, value: r.kg } };
      },
      { more: true, nextCursor: 'c2' },
    );
    expect(page.items).toEqual([{ externalId: '1', externalVersion: 'v1', data: weight }]);
    expect(page.rejected).toEqual([
      { externalId: '2', reason: 'measurement: weight 9000 kg is outside 1..650', raw: raws[1] },
      { externalId: '3', reason: 'no weight in the group', raw: raws[2] },
      { reason: 'unknown time zone "X"', raw: raws[4] },
    ]);
    expect(page.more).toBe(true);
    expect(page.nextCursor).toBe('c2');
  });
});
