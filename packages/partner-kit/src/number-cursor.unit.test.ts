import { describe, expect, it } from 'vitest';
import { encodeCursor } from './cursor.js';
import { numberCursor } from './number-cursor.js';
import { readSinceCursor } from './paging.js';

describe('numberCursor', () => {
  it('keeps an integer bound, page and mark under the partner keys', () => {
    const spec = numberCursor({ since: 'lastupdate', page: 'offset', mark: 'max' }, { initial: 0 });
    const first = readSinceCursor(undefined, spec);
    expect([first.since, first.page, first.mark]).toEqual([0, undefined, 0]);
    const paging = readSinceCursor(first.next([1700000000, 1700000500], 2).nextCursor, spec);
    expect([paging.since, paging.page, paging.mark]).toEqual([0, 2, 1700000500]);
    expect(JSON.parse(Buffer.from(paging.next([], undefined).nextCursor, 'base64url').toString())).toEqual({
      lastupdate: 1700000500,
    });
  });

  it('reads a cursor with a page below the first page, or a non-integer, as unreadable', () => {
    const spec = numberCursor({ since: 'after', page: 'page', mark: 'max' }, { firstPage: 1 });
    expect(readSinceCursor(encodeCursor({ after: 5, page: 2 }), spec).page).toBe(2);
    for (const bad of [{ after: 5, page: 0 }, { after: 5.5 }, { after: '5' }]) {
      const at = readSinceCursor(encodeCursor(bad), spec);
      expect([at.since, at.page]).toEqual([undefined, undefined]);
    }
  });
});
