import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Exercise } from './containers.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { PartnerRequest, PartnerResponse, ResourceContext } from './define-partner.js';
import { PartnerError } from './errors.js';
import { fieldEncoder, fieldMapper } from './fields.js';
import { limitUsageLists, waitInText } from './http/rate-headers.js';
import {
  dayWindowPoll,
  jsonResource,
  listPoll,
  mappedId,
  objectPoll,
  perConnection,
  sharedRecords,
} from './rest.js';
import { recordingContext } from './testing/resource-context.js';
import { testPartner } from './testing/test-partner.js';

/** A partner at the HTTP boundary: answers by method and path, remembering what it was asked. */
function partner(routes: Record<string, (req: PartnerRequest) => Partial<PartnerResponse>>) {
  return recordingContext((req) => {
    const route = routes[`${req.method} ${req.path}`];
    if (!route) throw new PartnerError('not_found', `${req.method} ${req.path}`);
    return route(req);
  }, 'Acme');
}

const toExercise = fieldMapper('exercise', {
  label: 'activity',
  id: 'id',
  at: { from: 'start', format: 'epoch' },
  fields: { activityType: { is: 'running' }, name: 'name', durationSeconds: 'secs', calories: 'kcal' },
});
const activity = (id: number, start: number) => ({ id, name: `Run ${id}`, start, secs: 600, kcal: 80 });
const int = z.number().int();

describe('listPoll', () => {
  it('pages by number while pages are full, reads each item in full, and moves the mark at the end of a pass', async () => {
    const details: Record<number, object> = {
      1: activity(1, 1709950000),
      2: activity(2, 1709970000),
      3: activity(3, 1709960000),
    };
    const { ctx, seen } = partner({
      'GET /list': (req) => ({ body: req.query?.page === 1 ? [{ id: 1 }, { id: 2 }] : [{ id: 3 }] }),
      'GET /items/1': () => ({ body: details[1] }),
      'GET /items/2': () => ({ body: details[2] }),
      'GET /items/3': () => ({ body: details[3] }),
    });
    const poll = listPoll({
      kind: 'exercise',
      cursor: { keys: { since: 'after', page: 'page', mark: 'max' }, since: int, page: int },
      initial: ({ now }) => now.getTime() / 1000 - 86_400,
      path: '/list',
      query: (at) => ({ after: at.since, page: at.page ?? 1 }),
      items: '',
      detail: '/items/{id}',
      map: toExercise,
      mark: 'start',
      paging: { pageSize: 2 },
    });
    const first = await poll(ctx, undefined);
    expect(first.items.map((i) => i.externalId)).toEqual(['1', '2']);
    expect(first.more).toBe(true);
    expect(decodeCursor(first.nextCursor, z.unknown())).toEqual({
      after: 1709942400,
      page: 2,
      max: 1709970000,
    });
    const second = await poll(ctx, first.nextCursor);
    expect(second).toMatchObject({ more: false, items: [{ externalId: '3' }] });
    expect(decodeCursor(second.nextCursor, z.unknown())).toEqual({ after: 1709970000 });
    expect(seen.map((r) => r.path)).toEqual(['/list', '/items/1', '/items/2', '/list', '/items/3']);
  });

  it('pages by an offset while `more`, splits items, hands the mapper the page context', async () => {
    const { ctx } = partner({
      'GET /groups': (req) => ({
        body: {
          body: {
            zone: 'Europe/Berlin',
            more: req.query?.offset === 0 ? 1 : 0,
            offset: 1,
            groups: [
              {
                id: Number(req.query?.offset) + 5,
                start: 1_700_000_000,
                kcal: [80, 90],
                secs: 60,
                name: 'x',
              },
            ],
          },
        },
      }),
    });
    const map = fieldMapper<string>('exercise', {
      label: 'g',
      id: (r) => `${r.id('id')}-${r.num('kcal')}`,
      at: { from: 'start', format: 'epoch', zone: (_r, zone) => zone },
      fields: { activityType: { is: 'running' }, name: 'name', durationSeconds: 'secs', calories: 'kcal' },
    });
    const poll = listPoll({
      kind: 'exercise',
      cursor: {
        keys: { since: 'lastupdate', page: 'offset', mark: 'max' },
        since: int,
        page: int,
        initial: 0,
      },
      path: '/groups',
      query: (at) => ({ lastupdate: at.since, offset: at.page ?? 0 }),
      items: 'body.groups',
      split: (g) => ((g as { kcal: number[] }).kcal ?? []).map((kcal) => ({ ...(g as object), kcal })),
      context: (answer) => String((answer as { body: { zone: string } }).body.zone),
      map,
      mark: 'start',
      paging: { offset: 'body.offset', more: 'body.more' },
    });
    const first = await poll(ctx, undefined);
    expect(first.items.map((i) => [i.externalId, i.data.startedAt])).toEqual([
      ['5-80', '2023-11-14T23:13:20+01:00'],
      ['5-90', '2023-11-14T23:13:20+01:00'],
    ]);
    expect(first.more).toBe(true);
    // The same offset again (the partner did not move on) ends the pass instead of looping.
    expect((await poll(ctx, first.nextCursor)).more).toBe(false);
  });

  it('follows `next` links without the query, and refuses an answer without the list', async () => {
    const { ctx, seen } = partner({
      'GET /feed': () => ({
        body: { items: [activity(1, 10)], next: 'https://api.example.com/feed?page=2' },
      }),
      'GET https://api.example.com/feed?page=2': () => ({ body: { items: [activity(2, 20)], next: '' } }),
      'GET /broken': () => ({ body: { items: 'none' } }),
    });
    const spec = {
      kind: 'exercise' as const,
      cursor: { keys: { since: 'since', page: 'next', mark: 'top' }, since: int, page: z.string() },
      query: (at: { since: number | undefined }) => ({ since: at.since }),
      items: 'items',
      map: toExercise,
      mark: 'start',
      paging: { next: 'next' },
      read: { partner: 'Example' },
    };
    const poll = listPoll({
      ...spec,
      path: '/feed',
      // A pass's first page marks the day before it began; unreadable marks are ignored.
      mark: (
        raws: readonly unknown[],
        _page: unknown,
        at: { page?: string | undefined },
        ctx: ResourceContext,
      ) => (at.page ? raws.map(() => Number.NaN) : [ctx.now.getTime() / 1000 - 86_400]),
    });
    const first = await poll(ctx, undefined);
    const second = await poll(ctx, first.nextCursor);
    expect([first.more, second.more, decodeCursor(second.nextCursor, z.unknown())]).toEqual([
      true,
      false,
      { since: 1709942400 },
    ]);
    expect(seen[1]).toEqual({ method: 'GET', path: 'https://api.example.com/feed?page=2' });
    await expect(listPoll({ ...spec, path: '/broken' })(ctx, undefined)).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'Example: no list at "items"',
    });
  });
});

describe('dayWindowPoll', () => {
  it('reads each day or the whole window, maps in the user zone, and stores the last day read', async () => {
    const { ctx, seen } = partner({
      'GET /day/2024-03-09.json': () => ({ body: { logs: [activity(1, 1_709_990_000)] } }),
      'GET /day/2024-03-10.json': () => ({ body: {} }),
      'GET /range/2024-03-09/2024-03-10.json': () => ({ body: { logs: [activity(2, 1_710_000_000)] } }),
    });
    const zones: unknown[] = [];
    const map = (raw: unknown, zone: unknown) => {
      zones.push(zone);
      return toExercise(raw);
    };
    const poll = dayWindowPoll({
      kind: 'exercise',
      window: { reread: 1, first: 1, span: 7 },
      zone: async () => 120,
      reads: [
        { path: '/day/{day}.json', items: 'logs', map },
        { path: '/range/{from}/{to}.json', items: 'logs', map },
      ],
    });
    const page = await poll(ctx, undefined);
    expect(page).toMatchObject({ nextCursor: '2024-03-10', more: false });
    expect(page.items.map((i) => i.externalId)).toEqual(['1', '2']);
    expect(zones).toEqual([120, 120]);
    expect(seen.map((r) => r.path)).toEqual([
      '/day/2024-03-09.json',
      '/day/2024-03-10.json',
      '/range/2024-03-09/2024-03-10.json',
    ]);
  });

  it("takes the API's zone when the resource names none, and refuses to guess without one", async () => {
    const { ctx, seen } = partner({
      'GET /day/2024-03-10.json': () => ({ body: { logs: [activity(3, 1_710_030_000)] } }),
    });
    const zones: unknown[] = [];
    const poll = dayWindowPoll({
      kind: 'exercise',
      window: { reread: 0, first: 0, span: 7 },
      reads: [
        {
          path: '/day/{day}.json',
          items: 'logs',
          map: (raw, zone) => {
            zones.push(zone);
            return toExercise(raw);
          },
        },
      ],
    });
    // 21:00 UTC on the 9th is the 10th at 02:00 in the user's zone (the API's: 300 minutes east).
    const at = { ...ctx, now: new Date('2024-03-09T21:00:00Z') };
    const page = await poll({ ...at, http: { ...ctx.http, zone: async () => 300 } }, undefined);
    expect(page).toMatchObject({ nextCursor: '2024-03-10', items: [{ externalId: '3' }] });
    expect(seen.map((r) => r.path)).toEqual(['/day/2024-03-10.json']);
    expect(zones).toEqual([300]);
    await expect(poll(at, undefined)).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringMatching(/needs the user's zone/),
    });
  });
});

describe('perConnection', () => {
  it('reads once per connection, and again after a failure', async () => {
    let calls = 0;
    const { ctx } = partner({ 'GET /root': () => ({ body: { n: ++calls } }) });
    const other = partner({ 'GET /root': () => ({ body: { n: ++calls } }) }).ctx;
    const root = perConnection(async (c) => (await c.http.request({ method: 'GET', path: '/root' })).body);
    expect([await root(ctx), await root(ctx), await root(other)]).toEqual([{ n: 1 }, { n: 1 }, { n: 2 }]);
    let fail = true;
    const flaky = perConnection(async () => {
      if (fail) throw new PartnerError('transient', 'down');
      return 'up';
    });
    await expect(flaky(ctx)).rejects.toMatchObject({ code: 'transient' });
    fail = false;
    expect(await flaky(ctx)).toBe('up');
  });
});

describe('objectPoll', () => {
  it('maps the object when the watched field changed since the cursor', async () => {
    let weight: number | null = 70;
    const { ctx } = partner({
      'GET /me': () => ({ body: { id: 1, weight, start: 1000, secs: 60, kcal: 1, name: 'x' } }),
    });
    const poll = objectPoll({ kind: 'exercise', path: '/me', changes: 'weight', map: toExercise });
    const first = await poll(ctx, undefined);
    expect([first.items.length, first.nextCursor]).toEqual([1, '70']);
    expect((await poll(ctx, '70')).items).toEqual([]);
    weight = null;
    expect(await poll(ctx, '70')).toMatchObject({ items: [{ externalId: '1' }] });
    expect((await poll(ctx, '70')).nextCursor).toBeUndefined();
  });
});

describe('jsonResource', () => {
  const e = Exercise.parse({
    kind: 'exercise',
    activityType: 'running',
    name: 'Tempo',
    startedAt: '2024-03-01T07:00:00+01:00',
    utcOffsetMinutes: 60,
    durationSeconds: 1200,
    calories: 200,
  });
  const encode = fieldEncoder<Exercise>({
    refuse: (x) => (x.name === 'secret' ? 'not shareable' : undefined),
    fields: { title: 'name', secs: 'durationSeconds' },
  });

  it('creates and updates with the body encoded as form, query or JSON, reading the new id', async () => {
    const { ctx, seen } = partner({
      'POST /a': () => ({ body: { id: 41 } }),
      'PUT /a/41': () => ({ body: { data: { id: '41' } } }),
      'POST /b': () => ({ status: 201, headers: { location: 'https://api.example.com/b/9' } }),
      'PUT /b/9': () => ({ body: {} }),
    });
    const form = jsonResource({
      kind: 'exercise',
      create: { path: '/a', encode: 'form', body: encode, id: 'id' },
      update: { path: '/a/{id}', encode: 'query', body: encode, id: ['missing', 'data.id'] },
    });
    expect(await form.create?.(ctx, e)).toEqual({ externalId: '41' });
    expect(await form.update?.(ctx, '41', e)).toEqual({ externalId: '41' });
    const json = jsonResource({
      kind: 'exercise',
      idPattern: /^\/b\/\d+$/,
      create: {
        path: '/b',
        encode: 'json',
        body: encode,
        id: 'location',
        headers: { 'content-type': 'x/y' },
      },
      update: { path: '{id}', encode: 'json', body: encode },
    });
    expect(await json.create?.(ctx, e)).toEqual({ externalId: '/b/9' });
    expect(await json.update?.(ctx, '/b/9', e)).toEqual({ externalId: '/b/9' });
    expect(
      seen.map(({ method, path, form: f, query, json: j, headers }) => ({
        method,
        path,
        f,
        query,
        j,
        headers,
      })),
    ).toEqual(
      [
        { method: 'POST', path: '/a', f: { title: 'Tempo', secs: 1200 } },
        { method: 'PUT', path: '/a/41', query: { title: 'Tempo', secs: 1200 } },
        { method: 'POST', path: '/b', j: { title: 'Tempo', secs: 1200 }, headers: { 'content-type': 'x/y' } },
        { method: 'PUT', path: '/b/9', j: { title: 'Tempo', secs: 1200 } },
      ].map((r) => ({ f: undefined, query: undefined, j: undefined, headers: undefined, ...r })),
    );
  });

  it('refuses an item that is no valid container, what the encoder refuses, ids that do not fit a path, and answers without an id', async () => {
    const { ctx, seen } = partner({ 'POST /a': () => ({ body: {} }) });
    const r = jsonResource({
      kind: 'exercise',
      read: { partner: 'Example' },
      create: { path: '/a', encode: 'form', body: encode, id: 'id' },
      update: { path: '/a/{id}', encode: 'form', body: encode },
    });
    // Re-checked before the encoder sees it, whatever the encoder checks: nothing malformed leaves.
    await expect(r.create?.(ctx, { ...e, durationSeconds: 0 })).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringMatching(/^not sendable to Example: exercise durationSeconds 0 is impossible/),
    });
    await expect(r.update?.(ctx, '41', { ...e, calories: -1 })).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringMatching(/^not sendable to Example: exercise calories -1 is impossible/),
    });
    await expect(r.create?.(ctx, { ...e, name: 'secret' })).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'not sendable to Example: not shareable',
    });
    await expect(r.update?.(ctx, '../admin', e)).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'not a Example exercise id: ../admin',
    });
    await expect(r.create?.(ctx, e)).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'Example POST /a answered 200 without an id',
    });
    expect(seen).toHaveLength(1);
  });

  it('deletes by path; an item already gone counts as deleted', async () => {
    const { ctx, seen } = partner({ 'DELETE /a/5.json': () => ({ status: 204 }) });
    const r = jsonResource({ kind: 'exercise', delete: { path: '/a/{id}.json' } });
    await r.delete?.(ctx, '5');
    await r.delete?.(ctx, '6');
    const computed = jsonResource({
      kind: 'exercise',
      idPattern: /^log:\d+$/,
      delete: { path: (id) => `/a/${id.split(':')[1]}.json` },
    });
    await computed.delete?.(ctx, 'log:5');
    await expect(computed.delete?.(ctx, 'log:../5')).rejects.toMatchObject({ code: 'invalid_data' });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'DELETE /a/5.json',
      'DELETE /a/6.json',
      'DELETE /a/5.json',
    ]);
    const strict = jsonResource({ kind: 'exercise', delete: { path: '/a/{id}.json', gone: 'not_found' } });
    await expect(strict.delete?.(ctx, '6')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('mappedId names a mapped item, not a rejection', () => {
    expect(mappedId(toExercise(activity(3, 10)))).toBe('3');
    expect(mappedId(toExercise({}))).toBeUndefined();
    expect(mappedId(null)).toBeUndefined();
  });
});

describe('waitInText', () => {
  it('reads the wait a 429 names in its text, from the response date; else the fallback', () => {
    const read = waitInText(900);
    const date = 'Mon, 23 Nov 2026 08:00:00 GMT';
    const res = (status: number, text: string) => ({ status, text, body: text, headers: { date } });
    expect(read(res(429, 'Try again in 2 hours.'))).toEqual({
      remaining: 0,
      resetAt: new Date('2026-11-23T10:00:00Z'),
    });
    expect(read(res(429, 'Slow down'))?.resetAt).toEqual(new Date('2026-11-23T08:15:00Z'));
    expect(read(res(503, 'Try again in 5 minutes'))).toBeNull();
  });
});

describe('sharedRecords', () => {
  it('names items <record>#<key>, rewrites a record on update, deletes a field or the emptied record', async () => {
    const stored: Record<string, Record<string, unknown>> = { '/sets/1': { weight: 80, fat: 20, at: 'x' } };
    const { ctx, seen } = partner({
      'POST /sets': () => ({ status: 201, headers: { location: '/sets/2' } }),
      'GET /sets/1': () => ({ body: stored['/sets/1'] }),
      'PUT /sets/1': (req) => {
        stored['/sets/1'] = req.json as Record<string, unknown>;
        return { status: 204 };
      },
      'DELETE /sets/1': () => ({ status: 204 }),
    });
    const e = Exercise.parse({
      kind: 'exercise',
      activityType: 'running',
      name: 'weight',
      startedAt: '2024-03-01T07:00:00Z',
      utcOffsetMinutes: 0,
      durationSeconds: 60,
      calories: 81,
    });
    const shared = sharedRecords({
      records: jsonResource({
        kind: 'exercise',
        idPattern: /^\/sets\/\d+$/,
        create: { path: '/sets', encode: 'json', body: () => ({}), id: 'location' },
        delete: { path: '{id}' },
      }),
      fields: { weight: 'weight', fat: 'fat' },
      keyOf: (x) => x.name,
      encode: (x) => (x.name === 'height' ? { reject: 'no height in a set' } : { [x.name]: x.calories }),
      read: async ({ http }, id) =>
        (await http.request({ method: 'GET', path: id })).body as Record<string, unknown>,
      write: ({ http }, id, json) => http.request({ method: 'PUT', path: id, json }),
    });
    expect(await shared.create(ctx, e)).toEqual({ externalId: '/sets/2#weight' });
    expect(await shared.update(ctx, '/sets/1#weight', e)).toEqual({ externalId: '/sets/1#weight' });
    expect(stored['/sets/1']).toEqual({ weight: 81, fat: 20, at: 'x' });
    await expect(shared.update(ctx, '/sets/1#weight', { ...e, name: 'height' })).rejects.toMatchObject({
      code: 'invalid_data',
      message: 'not sendable to Acme: no height in a set',
    });
    // The item is re-checked as a container before it is encoded, on create and on update alike.
    for (const write of [
      () => shared.create(ctx, { ...e, calories: -1 }),
      () => shared.update(ctx, '/sets/1#weight', { ...e, calories: -1 }),
    ])
      await expect(write()).rejects.toMatchObject({
        code: 'invalid_data',
        message: expect.stringMatching(/^not sendable to Acme: exercise calories -1 is impossible/),
      });
    expect(stored['/sets/1']).toEqual({ weight: 81, fat: 20, at: 'x' });
    await shared.delete(ctx, '/sets/1#fat');
    expect(stored['/sets/1']).toEqual({ weight: 81, at: 'x' });
    await shared.delete(ctx, '/sets/1#weight');
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', path: '/sets/1' });
    await expect(shared.delete(ctx, '/sets/1#height')).rejects.toMatchObject({ code: 'not_found' });
    await expect(shared.poll(ctx, undefined)).rejects.toThrow('the records cannot be polled');
  });
});

describe('limitUsageLists', () => {
  it('reads comma-separated limit and usage per declared window, across families, the scarcest wins', () => {
    const { rateLimits } = testPartner('acme', {
      rateLimits: [
        { scope: 'app', limit: 100, windowSeconds: 900, alignment: 'fixed' },
        { scope: 'app', limit: 1000, windowSeconds: 86_400, alignment: 'fixed' },
      ],
    });
    const read = limitUsageLists(rateLimits, [
      { limit: 'X-A-Limit', usage: 'x-a-usage' },
      { limit: 'x-b-limit', usage: 'x-b-usage' },
    ]);
    const res = (headers: Record<string, string>) => ({ status: 200, headers, body: null, text: '' });
    const now = new Date('2024-03-01T10:07:00Z');
    expect(
      read(
        res({
          'x-a-limit': '200,2000',
          'x-a-usage': '20,1990',
          'x-b-limit': '100, 1000',
          'x-b-usage': '95,300',
        }),
        now,
      ),
    ).toEqual({
      remaining: 5,
      resetAt: new Date('2024-03-01T10:15:00Z'),
    });
    // The second number is the day's: its window resets at midnight.
    expect(read(res({ 'x-a-limit': '200,2000', 'x-a-usage': '20,1998' }), now)).toEqual({
      remaining: 2,
      resetAt: new Date('2024-03-02T00:00:00Z'),
    });
    expect(read(res({ 'x-a-limit': 'lots', 'x-a-usage': '1,2' }), now)).toBeNull();
    expect(encodeCursor({})).toBeTypeOf('string');
  });
});
