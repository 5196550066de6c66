import { describe, expect, it } from 'vitest';
import { createdId } from './created-id.js';

describe('createdId', () => {
  const id = createdId(
    ['weightLog.logId', 'fatLog.logId'],
    (logId, body) => `${'weight' in body ? 'weight' : 'fat'}:${logId}`,
  );

  it('names the id found at the first present path with the body sent', () => {
    expect(id({ weightLog: { logId: 17 } }, {}, { weight: '70.00' })).toBe('weight:17');
    expect(id({ fatLog: { logId: '18' } }, {}, { fat: '20.00' })).toBe('fat:18');
  });

  it('finds nothing when no path holds a number or a text', () => {
    expect(id({ other: 1 }, {}, {})).toBeUndefined();
    expect(id({ weightLog: { logId: { nested: 1 } } }, {}, {})).toBeUndefined();
    expect(id(undefined, {}, {})).toBeUndefined();
  });
});
