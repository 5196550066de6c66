import { describe, expect, it } from 'vitest';
import { addDays } from './days.js';
import { daysBack } from './days-back.js';

describe('daysBack', () => {
  const now = new Date('2024-03-10T01:30:00.750Z');

  it('starts a first pass the given days before now, in epoch seconds', () => {
    expect(daysBack(30, 'epoch')({ now })).toBe(Math.floor(now.getTime() / 1000) - 30 * 86_400);
  });

  it('or as the UTC day, across a month end', () => {
    expect(daysBack(30, 'day')({ now })).toBe('2024-02-09');
    expect(daysBack(30, 'day')({ now })).toBe(addDays(now.toISOString().slice(0, 10), -30));
    expect(daysBack(0, 'day')({ now })).toBe('2024-03-10');
  });
});
