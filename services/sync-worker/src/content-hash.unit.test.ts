import type { Exercise, Measurement } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { contentHash } from './content-hash.js';

const weight: Measurement = {
  kind: 'measurement',
  type: 'weight',
  value: 72.34,
  unit: 'kg',
  measuredAt: '2026-03-01T08:30:12+01:00',
  utcOffsetMinutes: 60,
};

describe('contentHash', () => {
  it('is the same for what a partner hands back after a round trip', () => {
    expect(contentHash({ ...weight, measuredAt: '2026-03-01T07:30:00Z' })).toBe(contentHash(weight));
    expect(contentHash({ ...weight, value: 72.3, source: { value: 159.5, unit: 'lb' } })).toBe(
      contentHash(weight),
    );
    const run: Exercise = {
      kind: 'exercise',
      activityType: 'running',
      name: 'Morning run ',
      startedAt: '2026-03-01T07:00:00+01:00',
      utcOffsetMinutes: 60,
      durationSeconds: 1800,
      calories: 300,
    };
    expect(contentHash({ ...run, name: 'morning run' })).toBe(contentHash(run));
  });

  it('differs for a real edit', () => {
    expect(contentHash({ ...weight, value: 72.9 })).not.toBe(contentHash(weight));
    expect(contentHash({ ...weight, measuredAt: '2026-03-01T08:31:00+01:00' })).not.toBe(contentHash(weight));
    expect(contentHash({ ...weight, type: 'body_fat', unit: '%', value: 22 })).not.toBe(
      contentHash({ ...weight, value: 22 }),
    );
  });
});
