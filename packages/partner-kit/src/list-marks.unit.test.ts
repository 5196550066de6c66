import { describe, expect, it } from 'vitest';
import type { PartnerHttp, PollResult, ResourceContext } from './define-partner.js';
import { itemDays, passStartDay, textCursor } from './list-marks.js';
import { readSinceCursor } from './paging.js';

const ctx: ResourceContext = {
  http: {} as PartnerHttp,
  externalUserId: 'u1',
  generation: 'oauth2',
  now: new Date('2024-03-10T01:30:00Z'),
};

describe('textCursor', () => {
  it('keeps a day and a next link under the partner keys, and refuses other types', () => {
    const spec = textCursor({ since: 'since', page: 'next', mark: 'passStart' });
    const first = readSinceCursor(undefined, spec).next(['2024-03-09'], '/feed?page=2');
    const second = readSinceCursor(first.nextCursor, spec);
    expect([second.since, second.page, second.mark]).toEqual([undefined, '/feed?page=2', '2024-03-09']);
    const bad = Buffer.from(JSON.stringify({ since: 5 })).toString('base64url');
    expect(readSinceCursor(bad, spec).since).toBeUndefined();
  });

  it("with {page: 'url'} keeps a link only when it is an absolute URL", () => {
    const spec = textCursor({ since: 'after', page: 'next', mark: 'after' }, { page: 'url' });
    const link = 'https://api.example.com/list?offset=100';
    const kept = readSinceCursor(readSinceCursor(undefined, spec).next([], link).nextCursor, spec);
    expect(kept.page).toBe(link);
    const path = readSinceCursor(undefined, spec).next([], '/list?offset=100').nextCursor;
    expect(readSinceCursor(path, spec)).toMatchObject({ since: undefined, page: undefined });
    const text = textCursor({ since: 'after', page: 'next', mark: 'after' });
    expect(readSinceCursor(path, text).page).toBe('/list?offset=100');
  });
});

describe('itemDays', () => {
  it("marks each item's local day, reread days earlier", () => {
    const page = {
      items: [
        { externalId: '1', data: { kind: 'exercise', startedAt: '2024-03-09T23:30:00-05:00' } },
        { externalId: '2', data: { kind: 'measurement', measuredAt: '2024-03-10T00:10:00+01:00' } },
        { externalId: '3', data: { kind: 'food', consumedAt: '2024-03-01T12:00:00+00:00' } },
      ],
      rejected: [],
      more: false,
    } as unknown as PollResult;
    expect(itemDays(2)([], page)).toEqual(['2024-03-07', '2024-03-08', '2024-02-28']);
  });
});

describe('passStartDay', () => {
  const spec = textCursor({ since: 's', page: 'p', mark: 'm' });
  const empty: PollResult = { items: [], rejected: [], more: false };
  it('marks the day before the pass began on its first page only', () => {
    expect(passStartDay(1)([], empty, readSinceCursor(undefined, spec), ctx)).toEqual(['2024-03-09']);
    const paging = readSinceCursor(readSinceCursor(undefined, spec).next([], 'page-2').nextCursor, spec);
    expect(passStartDay(1)([], empty, paging, ctx)).toEqual([]);
  });
});
