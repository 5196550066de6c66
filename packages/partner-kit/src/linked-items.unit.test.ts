import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Exercise } from './containers.js';
import { PartnerError } from './errors.js';
import { fieldEncoder } from './fields.js';
import { linkedItems } from './linked-items.js';
import { readOnce } from './read-once.js';
import { jsonResource } from './rest.js';
import { recordingContext } from './testing/resource-context.js';

const run = Exercise.parse({
  kind: 'exercise',
  activityType: 'running',
  name: 'Tempo',
  startedAt: '2024-03-01T07:00:00+00:00',
  utcOffsetMinutes: 0,
  durationSeconds: 1200,
  calories: 200,
});
const body = fieldEncoder<Exercise>({ fields: { type: 'activityType', duration: 'durationSeconds' } });

describe('linkedItems', () => {
  const resource = jsonResource({
    kind: 'exercise',
    idPattern: /^\/runs\/\d+$/,
    ...linkedItems({
      collection: '/runs',
      encode: 'json',
      body,
      mediaTypes: { create: 'application/vnd.acme.NewRun+json', update: 'application/vnd.acme.Run+json' },
      gone: 'not_found',
    }),
  });

  it('creates by POST to the collection and names the item by the path of its Location', async () => {
    const { ctx, seen } = recordingContext(() => ({
      status: 201,
      headers: { location: 'https://api.acme.test/runs/42' },
    }));
    expect(await resource.create?.(ctx, run)).toEqual({ externalId: '/runs/42' });
    expect(seen[0]).toEqual({
      method: 'POST',
      path: '/runs',
      json: { type: 'running', duration: 1200 },
      headers: { 'content-type': 'application/vnd.acme.NewRun+json' },
    });
  });

  it("replaces and deletes at the item's path, refusing ids that are not item paths", async () => {
    const { ctx, seen } = recordingContext(() => ({ status: 204 }));
    expect(await resource.update?.(ctx, '/runs/42', run)).toEqual({ externalId: '/runs/42' });
    await resource.delete?.(ctx, '/runs/42');
    expect(seen.map((r) => [r.method, r.path, r.headers])).toEqual([
      ['PUT', '/runs/42', { 'content-type': 'application/vnd.acme.Run+json' }],
      ['DELETE', '/runs/42', undefined],
    ]);
    await expect(resource.delete?.(ctx, '/other/1')).rejects.toMatchObject({ code: 'invalid_data' });
  });

  it('keeps not_found for an item already gone when asked, and counts it deleted by default', async () => {
    const gone = recordingContext(() => {
      throw new PartnerError('not_found', 'gone');
    });
    await expect(resource.delete?.(gone.ctx, '/runs/1')).rejects.toMatchObject({ code: 'not_found' });
    const lenient = jsonResource({
      kind: 'exercise',
      idPattern: /^\/runs\/\d+$/,
      ...linkedItems({ collection: '/runs', encode: 'json', body }),
    });
    await expect(lenient.delete?.(gone.ctx, '/runs/1')).resolves.toBeUndefined();
  });

  it('POSTs to a collection found per connection', async () => {
    const root = readOnce('/user', z.looseObject({ runs: z.string() }));
    const found = jsonResource({
      kind: 'exercise',
      idPattern: /^\/runs\/\d+$/,
      ...linkedItems({ collection: async (ctx) => (await root(ctx)).runs, encode: 'json', body }),
    });
    const { ctx, seen } = recordingContext((req) =>
      req.path === '/user'
        ? { body: { runs: '/users/7/runs' } }
        : { status: 201, headers: { location: '/runs/9' } },
    );
    expect(await found.create?.(ctx, run)).toEqual({ externalId: '/runs/9' });
    expect(seen.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/user'],
      ['POST', '/users/7/runs'],
    ]);
  });

  it('refuses a create answered without a Location', async () => {
    const { ctx } = recordingContext(() => ({ status: 201 }));
    await expect(resource.create?.(ctx, run)).rejects.toMatchObject({ code: 'invalid_data' });
  });
});

describe('readOnce', () => {
  it('reads a document once per connection, with its options', async () => {
    let n = 0;
    const root = readOnce('/user', z.looseObject({ runs: z.string() }), { headers: { accept: 'x' } });
    const a = recordingContext(() => ({ body: { runs: `/runs${++n}` } }));
    const b = recordingContext(() => ({ body: { runs: `/runs${++n}` } }));
    expect([await root(a.ctx), await root(a.ctx), await root(b.ctx)]).toEqual([
      { runs: '/runs1' },
      { runs: '/runs1' },
      { runs: '/runs2' },
    ]);
    expect(a.seen).toEqual([{ method: 'GET', path: '/user', headers: { accept: 'x' } }]);
  });
});
