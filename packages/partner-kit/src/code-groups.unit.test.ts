import { describe, expect, it } from 'vitest';
import { codesByValue } from './code-groups.js';

describe('codesByValue', () => {
  const SPORTS = codesByValue(
    { running: ['Run', 'TrailRun'], cycling: ['Ride', 'GravelRide'], walking: [1, 306] },
    { app: 'other', partner: 'Workout' },
  );

  it('reads every code listed under a value as that value; anything else as the fallback', () => {
    expect(['Run', 'TrailRun', 'GravelRide', 1, '306'].map(SPORTS.toApp)).toEqual([
      'running',
      'running',
      'cycling',
      'walking',
      'walking',
    ]);
    expect([undefined, null, 'Kitesurf', 2].map(SPORTS.toApp)).toEqual(['other', 'other', 'other', 'other']);
  });

  it('sends the first code listed for a value, and the fallback for a value without codes', () => {
    expect(['running', 'cycling', 'walking', 'yoga', 'other'].map(SPORTS.fromApp)).toEqual([
      'Run',
      'Ride',
      '1',
      'Workout',
      'Workout',
    ]);
  });

  it('refuses a code listed under two values', () => {
    expect(() =>
      codesByValue({ running: ['Run'], walking: ['Walk', 'Run'] }, { app: 'other', partner: 'x' }),
    ).toThrow('code Run is listed under running and walking');
  });
});
