import { describe, expect, it } from 'vitest';
import { fieldMapper } from './fields.js';
import { numberCursor } from './number-cursor.js';
import { listPoll } from './rest.js';
import { recordingContext } from './testing/resource-context.js';

// `listPoll` paging by page number with the page and its size sent as query parameters.

const toExercise = fieldMapper('exercise', {
  label: 'activity',
  id: 'id',
  at: { from: 'start', format: 'epoch' },
  fields: {
    activityType: { is: 'running' },
    name: { is: 'Run' },
    durationSeconds: 'secs',
    calories: { is: 90 },
  },
});
const run = (id: number, start: number) => ({ id, start, secs: 600 });

describe('listPoll paging query', () => {
  it('sends the page (the first page on a first page) and the page size under the named parameters', async () => {
    const poll = listPoll({
      kind: 'exercise',
      cursor: numberCursor({ since: 'after', page: 'page', mark: 'max' }, { firstPage: 1, initial: 0 }),
      path: '/runs',
      query: (at) => ({ after: at.since }),
      items: '',
      map: toExercise,
      mark: 'start',
      paging: { pageSize: 2, query: { page: 'page', size: 'per_page' } },
    });
    const pages: Record<number, unknown[]> = { 1: [run(1, 1000), run(2, 2000)], 2: [run(3, 3000)] };
    const { ctx, seen } = recordingContext((req) => ({ body: pages[Number(req.query?.page)] ?? [] }));
    const first = await poll(ctx, undefined);
    const second = await poll(ctx, first.nextCursor);
    expect([first.more, second.more]).toEqual([true, false]);
    expect([...first.items, ...second.items].map((i) => i.externalId)).toEqual(['1', '2', '3']);
    await poll(ctx, second.nextCursor);
    expect(seen.map((r) => r.query)).toEqual([
      { after: 0, page: 1, per_page: 2 },
      { after: 0, page: 2, per_page: 2 },
      { after: 3000, page: 1, per_page: 2 },
    ]);
  });

  it('starts at firstPage when the paging names one', async () => {
    const poll = listPoll({
      kind: 'exercise',
      cursor: numberCursor({ since: 'since', page: 'p', mark: 'max' }),
      path: '/runs',
      items: 'runs',
      map: toExercise,
      mark: 'start',
      paging: { pageSize: 10, firstPage: 0, query: { page: 'p', size: 'limit' } },
    });
    const { ctx, seen } = recordingContext(() => ({ body: { runs: [] } }));
    await poll(ctx, undefined);
    expect(seen[0]?.query).toEqual({ p: 0, limit: 10 });
  });
});
