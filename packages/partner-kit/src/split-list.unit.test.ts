import { describe, expect, it } from 'vitest';
import { eachOf } from './split-list.js';

describe('eachOf', () => {
  const split = eachOf('measures');

  it('copies a group once per element of its list, each copy holding one element', () => {
    const group = { grpid: 7, date: 1, measures: [{ type: 1 }, { type: 6 }] };
    expect(split(group)).toEqual([
      { grpid: 7, date: 1, measures: [{ type: 1 }] },
      { grpid: 7, date: 1, measures: [{ type: 6 }] },
    ]);
    expect(group.measures).toHaveLength(2);
  });

  it('keeps an item without a list whole, and drops a group whose list is empty', () => {
    expect(split({ grpid: 7 })).toEqual([{ grpid: 7 }]);
    expect(split({ grpid: 7, measures: 'x' })).toEqual([{ grpid: 7, measures: 'x' }]);
    expect(split(null)).toEqual([null]);
    expect(split({ grpid: 7, measures: [] })).toEqual([]);
  });
});
