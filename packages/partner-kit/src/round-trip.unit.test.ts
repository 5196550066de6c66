import { describe, expect, it } from 'vitest';
import type { Exercise, Measurement } from './containers.js';
import { roundTripDifferences, sameItem } from './round-trip.js';

const sent: Measurement = {
  kind: 'measurement',
  type: 'weight',
  value: 70.2,
  unit: 'kg',
  measuredAt: '2026-12-01T08:30:00+02:00',
  utcOffsetMinutes: 120,
};

describe('roundTripDifferences', () => {
  it('is empty within the tolerances and names each difference beyond them', () => {
    expect(roundTripDifferences(sent, { ...sent, value: 70.24, measuredAt: '2026-12-01T06:30:40Z' })).toEqual(
      [],
    );
    expect(roundTripDifferences(sent, { ...sent, value: 70.4, measuredAt: '2026-12-01T06:35:00Z' })).toEqual([
      'time (s): sent 1796106600, got 1796106900',
      'value: sent 70.2, got 70.4',
    ]);
    expect(roundTripDifferences(sent, { ...sent, value: 70.4 }, { value: 0.5 })).toEqual([]);
  });
});

describe('sameItem', () => {
  it('is the same moment within tolerance, whatever the offset it reads back at', () => {
    expect(sameItem(sent, { ...sent, measuredAt: '2026-12-01T06:30:00+00:00', utcOffsetMinutes: 0 })).toBe(
      true,
    );
  });

  it('is the same wall clock for a partner that keeps no zone (our 08:30 +02:00 read back as 08:30 UTC)', () => {
    const back = { ...sent, measuredAt: '2026-12-01T08:30:00+00:00', utcOffsetMinutes: 0 };
    expect(roundTripDifferences(sent, back)).not.toEqual([]);
    expect(sameItem(sent, back)).toBe(true);
  });

  it('is not another value, another type, or another time both ways', () => {
    expect(sameItem(sent, { ...sent, value: 71.2 })).toBe(false);
    expect(sameItem(sent, { ...sent, type: 'body_fat', unit: '%', value: 70.2 })).toBe(false);
    expect(sameItem(sent, { ...sent, measuredAt: '2026-12-01T09:30:00+00:00', utcOffsetMinutes: 0 })).toBe(
      false,
    );
    // Same wall clock, but the value differs: not ours.
    expect(
      sameItem(sent, { ...sent, measuredAt: '2026-12-01T08:30:00Z', utcOffsetMinutes: 0, value: 75 }),
    ).toBe(false);
  });

  it("takes the partner's tolerance (a partner that estimates its own calories)", () => {
    const run: Exercise = {
      kind: 'exercise',
      activityType: 'running',
      name: 'Run',
      startedAt: '2026-12-01T07:00:00+01:00',
      utcOffsetMinutes: 60,
      durationSeconds: 1800,
      calories: 300,
    };
    expect(sameItem(run, { ...run, calories: 350 })).toBe(false);
    expect(sameItem(run, { ...run, calories: 350 }, { calories: Number.POSITIVE_INFINITY })).toBe(true);
  });
});
