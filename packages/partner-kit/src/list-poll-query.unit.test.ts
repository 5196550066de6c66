import { describe, expect, it } from 'vitest';
import { fieldMapper } from './fields.js';
import { numberCursor } from './number-cursor.js';
import { listPoll } from './rest.js';
import { recordingContext } from './testing/resource-context.js';

// `listPoll`'s query as data: fixed parameters sent with the cursor's bound and page under its
// keys, and the user named on the calls of the generations that want it.

const toExercise = fieldMapper('exercise', {
  label: 'activity',
  id: 'id',
  at: { from: 'start', format: 'epoch' },
  fields: { activityType: { is: 'running' }, name: { is: 'Run' }, durationSeconds: 'secs' },
});

const poll = listPoll({
  kind: 'exercise',
  cursor: numberCursor({ since: 'changed', page: 'skip', mark: 'max' }, { initial: 0 }),
  path: '/runs',
  query: { action: 'list', type: 3 },
  userQuery: { legacy: 'user' },
  items: 'runs',
  map: toExercise,
  mark: 'start',
  paging: { offset: 'skip', more: 'more' },
});

function partner(pages: Record<number, unknown>) {
  return recordingContext((req) => ({ body: pages[Number(req.query?.skip ?? 0)] }));
}
const run = (id: number, start: number) => ({ id, start, secs: 600 });

describe('listPoll query as data', () => {
  it("sends the fixed parameters with the cursor's bound and page under its keys", async () => {
    const { ctx, seen } = partner({
      0: { runs: [run(1, 1000)], skip: 1, more: true },
      1: { runs: [run(2, 2000)], skip: 2, more: false },
    });
    const first = await poll(ctx, undefined);
    const second = await poll(ctx, first.nextCursor);
    await poll(ctx, second.nextCursor);
    expect(seen.map((r) => r.query)).toEqual([
      { action: 'list', type: 3, changed: 0, skip: undefined },
      { action: 'list', type: 3, changed: 0, skip: 1 },
      { action: 'list', type: 3, changed: 2000, skip: undefined },
    ]);
  });

  it('names the user only on the calls of the generations listed', async () => {
    const modern = partner({ 0: { runs: [] } });
    await poll(modern.ctx, undefined);
    expect(modern.seen[0]?.query).not.toHaveProperty('user');
    const legacy = partner({ 0: { runs: [] } });
    await poll({ ...legacy.ctx, generation: 'legacy', externalUserId: '4711' }, undefined);
    expect(legacy.seen[0]?.query).toEqual({
      action: 'list',
      type: 3,
      changed: 0,
      skip: undefined,
      user: '4711',
    });
  });

  it('names the user beside a computed query too, and alone when there is no other', async () => {
    const computed = listPoll({
      kind: 'exercise',
      cursor: numberCursor({ since: 'after', page: 'page', mark: 'max' }),
      path: '/runs',
      query: (at) => ({ after: at.since }),
      userQuery: { legacy: 'user' },
      items: 'runs',
      map: toExercise,
      mark: 'start',
      paging: { pageSize: 10 },
    });
    const { ctx, seen } = partner({ 0: { runs: [] } });
    await computed({ ...ctx, generation: 'legacy' }, undefined);
    expect(seen[0]?.query).toEqual({ after: undefined, user: 'u1' });
    const bare = listPoll({
      kind: 'exercise',
      cursor: numberCursor({ since: 'after', page: 'page', mark: 'max' }),
      path: '/runs',
      userQuery: { legacy: 'user' },
      items: 'runs',
      map: toExercise,
      mark: 'start',
      paging: { pageSize: 10 },
    });
    const plain = partner({ 0: { runs: [] } });
    await bare(plain.ctx, undefined);
    expect(plain.seen[0]).not.toHaveProperty('query');
    await bare({ ...plain.ctx, generation: 'legacy' }, undefined);
    expect(plain.seen[1]?.query).toEqual({ user: 'u1' });
  });
});
