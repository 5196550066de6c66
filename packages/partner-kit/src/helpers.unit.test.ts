import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeCursor } from './cursor.js';
import { addDays, dayWindow, localDay, numericId } from './days.js';
import type { PartnerHttp, PartnerRequest, WebhookRequest } from './define-partner.js';
import { PartnerError } from './errors.js';
import { remainingAndResetIn, remainingPerWindow } from './http/rate-headers.js';
import { backfillThenSince, readSinceCursor } from './paging.js';
import {
  definedFields,
  deleteIfPresent,
  errorListClassifier,
  getJson,
  joinPages,
  requestJson,
  zodReason,
} from './read.js';
import { sincePoll } from './resource.js';
import { fromIsoBasic, fromRfc2822Local, isoBasicUtc, toRfc2822Local } from './units.js';
import { dateFields, pollPage, schemaMapper, sendable } from './validate.js';
import {
  hmacHeader,
  hubChallenge,
  notificationsByUser,
  readFormWithQuery,
  readJsonBody,
  sameText,
  verifyCode,
  verifyHmacHeader,
} from './webhook.js';

/** A partner answering one fixed body (the HTTP boundary), remembering what it was asked. */
function answering(body: unknown): PartnerHttp & { seen: PartnerRequest[] } {
  const seen: PartnerRequest[] = [];
  return {
    seen,
    async request(req) {
      seen.push(req);
      return { status: 200, headers: {}, body, text: JSON.stringify(body) };
    },
  };
}

describe('reading JSON answers', () => {
  const Profile = z.looseObject({ user: z.looseObject({ id: z.string() }) });

  it('parses with the schema and sends the request as given', async () => {
    const http = answering({ user: { id: 'u1', extra: 1 } });
    const got = await getJson(http, '/profile', Profile, { query: { a: 1 }, headers: { accept: 'x' } });
    expect(got.user.id).toBe('u1');
    expect(http.seen).toEqual([
      { method: 'GET', path: '/profile', query: { a: 1 }, headers: { accept: 'x' } },
    ]);
  });

  it('a schema mismatch is invalid_data naming the partner, the call and the field', async () => {
    const e = await requestJson(answering({ user: {} }), { method: 'POST', path: '/x' }, Profile, {
      partner: 'Acme',
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(PartnerError);
    expect(e).toMatchObject({
      code: 'invalid_data',
      message: expect.stringContaining('Acme POST /x: user.id:'),
    });
  });

  it('a partner may classify a mismatch as transient', async () => {
    const e = await getJson(answering('<html>'), '/x', Profile, { mismatch: 'transient' }).catch(
      (err: unknown) => err,
    );
    expect(e).toMatchObject({ code: 'transient' });
  });

  it('sendable re-checks an outgoing item and names the partner', () => {
    const food = {
      kind: 'food',
      name: 'Soup',
      meal: 'lunch',
      consumedAt: '2026-01-01T12:00:00Z',
      utcOffsetMinutes: 0,
      calories: 120,
    };
    expect(sendable('food', food, 'Acme')).toMatchObject({ name: 'Soup' });
    expect(() => sendable('food', { ...food, calories: undefined }, 'Acme')).toThrow(
      'not sendable to Acme: food has no calories',
    );
  });

  it('zodReason lists every issue with its path', () => {
    const r = z.object({ a: z.number(), b: z.string() }).safeParse({ a: 'x' });
    expect(r.success).toBe(false);
    if (!r.success) expect(zodReason(r.error)).toMatch(/^a: .+; b: .+$/);
  });
});

describe('readSinceCursor', () => {
  const withings = {
    keys: { since: 'lastupdate', page: 'offset', mark: 'max' },
    since: z.number().int(),
    page: z.number().int(),
    initial: 0,
  } as const;

  it('pages with since fixed and the running mark, then moves since to the mark', () => {
    const first = readSinceCursor(undefined, withings);
    expect([first.since, first.page, first.mark]).toEqual([0, undefined, 0]);
    const p1 = first.next([50, 70], 2);
    expect(p1.more).toBe(true);
    expect(decodeCursor(p1.nextCursor, z.unknown())).toEqual({ lastupdate: 0, offset: 2, max: 70 });
    const second = readSinceCursor(p1.nextCursor, withings);
    expect([second.since, second.page, second.mark]).toEqual([0, 2, 70]);
    const done = second.next([60], undefined);
    expect(done.more).toBe(false);
    expect(decodeCursor(done.nextCursor, z.unknown())).toEqual({ lastupdate: 70 });
    expect(readSinceCursor(done.nextCursor, withings).next([], undefined).nextCursor).toBe(done.nextCursor);
  });

  it('without an initial value the first pass has no lower bound; string marks compare as ISO dates', () => {
    const spec = {
      keys: { since: 'since', page: 'next', mark: 'passStart' },
      since: z.string(),
      page: z.string(),
    };
    const c = readSinceCursor(undefined, spec);
    expect(c.since).toBeUndefined();
    const p = readSinceCursor(c.next(['2026-11-20'], '/feed?page=1').nextCursor, spec);
    expect([p.since, p.page, p.mark]).toEqual([undefined, '/feed?page=1', '2026-11-20']);
    expect(decodeCursor(p.next(['2026-11-01'], undefined).nextCursor, z.unknown())).toEqual({
      since: '2026-11-20',
    });
  });

  it('when mark and since share a key, the bound moves with every page', () => {
    const spec = {
      keys: { since: 'after', page: 'next', mark: 'after' },
      since: z.string(),
      page: z.string(),
      initial: '2026-10-01',
    };
    const p = readSinceCursor(undefined, spec).next(['2026-10-05'], 'https://x/next');
    expect(decodeCursor(p.nextCursor, z.unknown())).toEqual({ after: '2026-10-05', next: 'https://x/next' });
  });

  it('an unreadable cursor starts over', () => {
    expect(readSinceCursor('not-a-cursor', withings).since).toBe(0);
  });
});

describe('webhook helpers', () => {
  const req = (over: Partial<WebhookRequest>): WebhookRequest => ({
    method: 'POST',
    query: {},
    headers: {},
    rawBody: Buffer.from(''),
    ...over,
  });
  const ctx = { clientSecret: 'shh' };

  it('verifies an HMAC header over the raw body and the extra signed headers', () => {
    const rawBody = Buffer.from('{"a":1}');
    const spec = {
      header: 'x-sig',
      algorithm: 'sha1',
      encoding: 'base64',
      key: (c: { clientSecret: string }) => `${c.clientSecret}&`,
      alsoSigned: ['x-ts'],
    } as const;
    const good = createHmac('sha1', 'shh&').update(rawBody).update('123').digest('base64');
    const verify = verifyHmacHeader(spec);
    expect(verify(req({ rawBody, headers: { 'x-sig': good, 'x-ts': '123' } }), ctx)).toBe(true);
    expect(verify(req({ rawBody, headers: { 'x-sig': good, 'x-ts': '124' } }), ctx)).toBe(false);
    expect(verify(req({ rawBody, headers: { 'x-sig': good } }), ctx)).toBe(false);
    expect(
      verify(req({ rawBody: Buffer.from('{"a":2}'), headers: { 'x-sig': good, 'x-ts': '123' } }), ctx),
    ).toBe(false);
    expect(verify(req({ method: 'GET', rawBody, headers: { 'x-sig': good, 'x-ts': '123' } }), ctx)).toBe(
      false,
    );
  });

  it('reads JSON bodies and form bodies merged over the query', () => {
    const S = z.object({ userid: z.string(), appli: z.string() });
    expect(readJsonBody(req({ rawBody: Buffer.from('{"userid":"1","appli":"4"}') }), S)).toEqual({
      userid: '1',
      appli: '4',
    });
    expect(readJsonBody(req({ rawBody: Buffer.from('not json') }), S)).toBeUndefined();
    const form = req({ query: { userid: '9', appli: '1' }, rawBody: Buffer.from('appli=16') });
    expect(readFormWithQuery(form, S)).toEqual({ userid: '9', appli: '16' });
    expect(readFormWithQuery(req({ rawBody: Buffer.from('appli=1') }), S)).toBeUndefined();
    expect(sameText('abc', 'abc')).toBe(true);
    expect(sameText('abc', 'abd')).toBe(false);
  });
});

describe('day windows', () => {
  const o = { reread: 2, first: 6, span: 3 };

  it('a first poll starts `first` days back and pages `span` days at a time up to today', () => {
    const w = dayWindow(undefined, '2026-03-10', o);
    expect(w).toEqual({
      from: '2026-03-04',
      to: '2026-03-06',
      days: ['2026-03-04', '2026-03-05', '2026-03-06'],
      more: true,
    });
    const next = dayWindow(w.to, '2026-03-10', o);
    expect([next.from, next.to, next.more]).toEqual(['2026-03-04', '2026-03-06', true]);
  });

  it('re-reads `reread` days before the cursor and stops at today', () => {
    const w = dayWindow('2026-03-10', '2026-03-10', o);
    expect(w).toEqual({
      from: '2026-03-08',
      to: '2026-03-10',
      days: ['2026-03-08', '2026-03-09', '2026-03-10'],
      more: false,
    });
    expect(dayWindow('garbage', '2026-03-10', o).from).toBe('2026-03-04');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(numericId('123', 'log id')).toBe('123');
    expect(() => numericId('../x', 'log id')).toThrow(/not a log id/);
  });
});

describe('pages and fields', () => {
  it('joins pages, keeps defined fields, groups notifications by user', () => {
    const a = { items: [], rejected: [{ reason: 'a' }], more: false };
    const b = { items: [], rejected: [{ reason: 'b' }], more: false };
    expect(joinPages([a, b], { nextCursor: 'c', more: true })).toEqual({
      items: [],
      rejected: [{ reason: 'a' }, { reason: 'b' }],
      nextCursor: 'c',
      more: true,
    });
    expect(definedFields({ a: 1, b: undefined, c: 0 })).toEqual({ a: 1, c: 0 });
    expect(
      notificationsByUser([
        { externalUserId: 'u1', kind: 'measurement' },
        { externalUserId: 'u1', kind: 'food' },
        { externalUserId: 'u2', revoked: true },
        { externalUserId: 'u1', kind: 'food' },
      ]),
    ).toEqual([
      { externalUserId: 'u1', kinds: ['measurement', 'food'] },
      { externalUserId: 'u2', kinds: [], revoked: true },
    ]);
  });

  it('deleteIfPresent treats not_found as done and passes other failures on', async () => {
    const failing = (code: 'not_found' | 'transient'): PartnerHttp => ({
      async request() {
        throw new PartnerError(code, 'x');
      },
    });
    await expect(deleteIfPresent(failing('not_found'), { path: '/x' })).resolves.toBeUndefined();
    await expect(deleteIfPresent(failing('transient'), { path: '/x' })).rejects.toMatchObject({
      code: 'transient',
    });
  });
});

describe('schemaMapper', () => {
  const Log = z.looseObject({ id: z.number(), kcal: z.number().optional(), day: z.string() });
  const toFood = schemaMapper(Log, 'food log', (log, offsetMinutes: number) =>
    log.kcal === undefined
      ? null
      : {
          externalId: String(log.id),
          candidate: {
            name: 'Log',
            meal: 'other',
            consumedAt: `${log.day}T12:00:00Z`,
            utcOffsetMinutes: offsetMinutes,
            calories: log.kcal,
          },
        },
  );

  it('maps parsed data with extra arguments, rejects a mismatch with the label and field, skips null', () => {
    const page = pollPage(
      'food',
      [
        { id: 1, kcal: 90, day: '2026-01-02' },
        { id: 'x', day: 3 },
        { id: 2, day: '2026-01-02' },
      ],
      (raw) => toFood(raw, 0),
    );
    expect(page.items.map((i) => [i.externalId, i.data.calories])).toEqual([['1', 90]]);
    expect(page.rejected).toEqual([
      { reason: expect.stringMatching(/^food log: id: .+; day: /), raw: { id: 'x', day: 3 } },
    ]);
  });
});

describe('ISO 8601 basic format', () => {
  it('reads basic date-times with an offset or Z, refuses others', () => {
    expect(fromIsoBasic('20121212T071430+0200')).toEqual({
      iso: '2012-12-12T07:14:30+02:00',
      utcOffsetMinutes: 120,
      epochSeconds: Date.UTC(2012, 11, 12, 5, 14, 30) / 1000,
    });
    expect(fromIsoBasic('20121212T071430-0330')?.utcOffsetMinutes).toBe(-210);
    for (const bad of ['20120230T071430Z', '20121212T251430Z', '2012-12-12T07:14:30Z', undefined, null])
      expect(fromIsoBasic(bad)).toBeUndefined();
  });

  it('writes UTC moments to the second, and moves basic and extended days', () => {
    expect(isoBasicUtc(new Date('2013-03-17T09:30:12.345Z'))).toBe('20130317T093012Z');
    expect(addDays('20121231', 1)).toBe('20130101');
    expect(addDays('2012-03-01', -1)).toBe('2012-02-29');
    expect(localDay(new Date('2026-11-23T23:30:00Z'), 60)).toBe('2026-11-24');
    expect(localDay(new Date('2026-11-23T23:30:00Z'), 'America/New_York')).toBe('2026-11-23');
  });
});

describe('rate-limit header readers', () => {
  const res = (headers: Record<string, string>) => ({ status: 200, headers, body: '', text: '' });
  const date = 'Mon, 23 Nov 2026 08:41:20 GMT';

  it('remaining per clock-aligned window: the scarcest, reset at its next boundary after Date', () => {
    const windows = [{ windowSeconds: 60 }, { windowSeconds: 3600 }];
    const read = remainingPerWindow(windows, ['x-minute-left', 'x-hour-left']);
    expect(read(res({ date, 'x-minute-left': '12', 'x-hour-left': '1500' }))).toEqual({
      remaining: 12,
      resetAt: new Date('2026-11-23T08:42:00Z'),
    });
    expect(read(res({ date, 'x-hour-left': '0' }))).toEqual({
      remaining: 0,
      resetAt: new Date('2026-11-23T09:00:00Z'),
    });
    expect(read(res({ date }))).toBeNull();
    expect(() => remainingPerWindow(windows, ['x-minute-left'])).toThrow(/1 headers for 2 windows/);
  });

  it('remaining and seconds until reset', () => {
    const now = new Date('2026-11-23T08:41:20Z');
    const read = remainingAndResetIn('x-left', 'x-reset');
    expect(read(res({ 'x-left': '3', 'x-reset': '1120' }), now)).toEqual({
      remaining: 3,
      resetAt: new Date('2026-11-23T09:00:00Z'),
    });
    expect(read(res({ 'x-left': '3' }))).toBeNull();
  });
});

describe('hmacHeader', () => {
  it('signs as it verifies, with the key from the client secret', () => {
    const sig = hmacHeader({
      header: 'x-sig',
      algorithm: 'sha1',
      encoding: 'base64',
      key: (ctx) => `${ctx.clientSecret}&`,
      alsoSigned: ['x-ts'],
    });
    const body = Buffer.from('{"a":1}');
    const expected = createHmac('sha1', 'secret&').update(body).update('17').digest('base64');
    expect(sig.sign('secret', body, ['17'])).toBe(expected);
    const req = { method: 'POST', query: {}, headers: { 'x-sig': expected, 'x-ts': '17' }, rawBody: body };
    expect(sig.verify(req, { clientSecret: 'secret' })).toBe(true);
    expect(
      sig.verify({ ...req, headers: { ...req.headers, 'x-ts': '18' } }, { clientSecret: 'secret' }),
    ).toBe(false);
  });
});

describe('backfillThenSince', () => {
  const spec = (stamp: string) => ({
    span: 31,
    stamp,
    begin: async () => ({ from: '20240101', today: '20240215' }),
  });

  it('backfills in ranges up to the day it began, then reads changes since the backfill began', async () => {
    const first = await backfillThenSince(undefined, spec('T1'));
    expect(first.range).toEqual({ from: '20240101', to: '20240131' });
    expect(first.next.more).toBe(true);
    const second = await backfillThenSince(first.next.nextCursor, spec('T2'));
    expect(second.range).toEqual({ from: '20240201', to: '20240215' });
    expect(second.next.more).toBe(false);
    const third = await backfillThenSince(second.next.nextCursor, spec('T3'));
    expect(third).toMatchObject({ since: 'T1', next: { more: false } });
    expect((await backfillThenSince(third.next.nextCursor, spec('T4'))).since).toBe('T3');
  });

  it('a first day after today starts today; an unreadable cursor starts over', async () => {
    const late = await backfillThenSince(undefined, {
      ...spec('T'),
      begin: async () => ({ from: '2024-03-01', today: '2024-02-15' }),
    });
    expect(late.range).toEqual({ from: '2024-02-15', to: '2024-02-15' });
    expect((await backfillThenSince('garbage', spec('T'))).range?.from).toBe('20240101');
  });
});

describe('sincePoll', () => {
  const Item = z.looseObject({ id: z.number(), at: z.number() });
  const map = schemaMapper(Item, 'item', ({ id, at }) => ({
    externalId: String(id),
    candidate: {
      type: 'weight',
      value: 70,
      unit: 'kg',
      source: { value: 70, unit: 'kg' },
      ...dateFields('measurement', { iso: new Date(at * 1000).toISOString(), utcOffsetMinutes: 0 }),
    },
  }));
  const int = z.number().int();
  const poll = sincePoll({
    kind: 'measurement',
    cursor: { keys: { since: 'since', page: 'offset', mark: 'max' }, since: int, page: int, initial: 0 },
    request: (at) => ({ method: 'GET', path: '/items', query: { since: at.since, offset: at.page } }),
    schema: z.looseObject({ items: z.array(z.unknown()), next: z.number().optional() }),
    items: (body) => body.items,
    map,
    marks: (raws) => raws.map((r) => Item.safeParse(r).data?.at ?? 0),
    nextPage: (body) => body.next,
  });
  const ctx = (http: PartnerHttp) => ({ http, externalUserId: 'u', generation: 'oauth2', now: new Date() });

  it('reads a page, maps and validates item by item, and moves the cursor', async () => {
    const http = answering({ items: [{ id: 1, at: 1_700_000_000 }, { id: 2 }], next: 2 });
    const first = await poll(ctx(http), undefined);
    expect(http.seen[0]).toEqual({ method: 'GET', path: '/items', query: { since: 0, offset: undefined } });
    expect(first.items.map((i) => [i.externalId, i.data.measuredAt])).toEqual([
      ['1', '2023-11-14T22:13:20.000Z'],
    ]);
    expect(first.rejected[0]?.reason).toMatch(/^item: at: /);
    expect(first.more).toBe(true);
    const last = answering({ items: [{ id: 3, at: 1_700_000_100 }] });
    const second = await poll(ctx(last), first.nextCursor);
    expect(last.seen[0]?.query).toEqual({ since: 0, offset: 2 });
    expect(second.more).toBe(false);
    expect(decodeCursor(second.nextCursor, z.object({ since: z.number() }))).toEqual({
      since: 1_700_000_100,
    });
  });
});

describe('hubChallenge', () => {
  const hub = (query: Record<string, string>, method = 'GET') => ({
    method,
    query,
    headers: {},
    rawBody: Buffer.alloc(0),
  });
  const ctx = { clientSecret: 's', verifyToken: 'TOKEN' };
  const subscribe = { 'hub.mode': 'subscribe', 'hub.challenge': 'abc', 'hub.verify_token': 'TOKEN' };

  it('echoes the challenge for the configured verify token, as JSON or text', () => {
    expect(hubChallenge('json')(hub(subscribe), ctx)).toEqual({
      status: 200,
      body: { 'hub.challenge': 'abc' },
    });
    expect(hubChallenge('text')(hub(subscribe), ctx)).toEqual({
      status: 200,
      body: 'abc',
      contentType: 'text/plain',
    });
  });

  it('refuses a wrong or unconfigured token; other requests are not handshakes', () => {
    expect(hubChallenge('json')(hub({ ...subscribe, 'hub.verify_token': 'nope' }), ctx)).toEqual({
      status: 403,
    });
    expect(hubChallenge('json')(hub(subscribe), { clientSecret: 's' })).toEqual({ status: 403 });
    expect(hubChallenge('json')(hub({}), ctx)).toBeNull();
    expect(hubChallenge('json')(hub(subscribe, 'POST'), ctx)).toBeNull();
  });
});

describe('verifyCode', () => {
  const get = (query: Record<string, string>, method = 'GET') => ({
    method,
    query,
    headers: {},
    rawBody: Buffer.alloc(0),
  });
  const handshake = verifyCode('verify', { ok: 204, fail: 404 });

  it('answers ok for the configured code, fail for any other or when none is configured; POSTs are not handshakes', () => {
    expect(handshake(get({ verify: 'CODE' }), { clientSecret: 's', verifyToken: 'CODE' })).toEqual({
      status: 204,
    });
    expect(handshake(get({ verify: 'nope' }), { clientSecret: 's', verifyToken: 'CODE' })).toEqual({
      status: 404,
    });
    expect(handshake(get({}), { clientSecret: 's' })).toEqual({ status: 404 });
    expect(handshake(get({ verify: 'CODE' }, 'POST'), { clientSecret: 's', verifyToken: 'CODE' })).toBeNull();
  });
});

describe('errorListClassifier', () => {
  const classify = errorListClassifier({
    statuses: [400],
    body: z.looseObject({ errors: z.array(z.looseObject({ field: z.string() })).optional() }),
    describe: (e) => `bad ${e.field}`,
  });
  const res = (status: number, body: unknown) => ({ status, headers: {}, body, text: '' });

  it('describes each listed error of a bad request as invalid_data; other statuses are not its business', () => {
    expect(classify(res(400, { errors: [{ field: 'date' }, { field: 'name' }] }))).toEqual({
      code: 'invalid_data',
      message: 'HTTP 400: bad date, bad name',
    });
    expect(classify(res(400, '<html>'))).toEqual({ code: 'invalid_data', message: 'HTTP 400' });
    expect(classify(res(201, {}))).toBeNull();
  });
});

describe('RFC 2822-style wall-clock times without a zone', () => {
  it('reads them in a zone (weekday optional), refuses unreadable or impossible ones', () => {
    expect(fromRfc2822Local('Sun, 19 Oct 2014 13:17:27', -300)).toEqual({
      iso: '2014-10-19T13:17:27-05:00',
      utcOffsetMinutes: -300,
      epochSeconds: Date.UTC(2014, 9, 19, 18, 17, 27) / 1000,
    });
    expect(fromRfc2822Local('1 Jan 2011 07:30:00', 'Europe/Berlin')?.iso).toBe('2011-01-01T07:30:00+01:00');
    for (const bad of [
      '31 Feb 2014 10:00:00',
      '19 Okt 2014 13:17:27',
      '2014-10-19T13:17:27',
      undefined,
      null,
    ])
      expect(fromRfc2822Local(bad, 0)).toBeUndefined();
  });

  it('writes the wall clock of an ISO time at its own offset', () => {
    expect(toRfc2822Local('2011-01-01T07:30:00+02:00')).toBe('Sat, 1 Jan 2011 07:30:00');
    expect(toRfc2822Local('2014-10-19T23:05:00-05:00')).toBe('Sun, 19 Oct 2014 23:05:00');
  });
});
