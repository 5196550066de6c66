import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectThroughConsent, resolveAgainstFake } from '@healthsync/partner-kit/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaration } from '../partner.js';
import { decodeMeasure, encodeMeasure, startFake, type WithingsFakeHandle } from './index.js';

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/withings/callback';
const DAY = 86_400;

/** A clock the tests move forward (real time plus a shift, so OAuth 1.0a timestamps stay valid). */
function movableClock() {
  let shift = 0;
  return {
    now: () => new Date(Date.now() + shift),
    advance: (seconds: number) => {
      shift += seconds * 1000;
    },
  };
}

interface Envelope {
  status: number;
  body: Record<string, unknown>;
  error?: string;
}

async function call(
  fake: WithingsFakeHandle,
  path: string,
  form: Record<string, string | number>,
  token?: string,
) {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: new URLSearchParams(Object.entries(form).map(([k, v]): [string, string] => [k, String(v)])),
  });
  return { http: res.status, json: (await res.json()) as Envelope };
}

interface Group {
  grpid: number;
  modified: number;
  date: number;
  category: number;
  measures: { value: number; type: number; unit: number }[];
}

/** A local callback endpoint that records what Withings sends it. */
async function callbackServer(answer: (req: IncomingMessage) => number) {
  const received: { method: string; body: string; contentType: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', body, contentType: req.headers['content-type'] });
      res.statusCode = answer(req);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/withings`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('Withings fake', () => {
  const clock = movableClock();
  let fake: WithingsFakeHandle;
  let token: string;
  let user: string;

  beforeAll(async () => {
    fake = await startFake({
      clock,
      seed: 7,
      demoUsers: 1,
      redirectUris: [REDIRECT],
      notifyRetryDelaysMs: [20, 20],
    });
    user = fake.demoUserIds[0] ?? '';
    token = (
      await connectThroughConsent(resolveAgainstFake(declaration, fake), { redirectUri: REDIRECT, user })
    ).accessToken;
  });
  afterAll(() => fake.close());

  it('answers every error with HTTP 200 and a status in the body', async () => {
    const noToken = await call(fake, '/measure', { action: 'getmeas' });
    expect(noToken).toEqual({
      http: 200,
      json: { status: 401, body: {}, error: expect.stringContaining('invalid_token') },
    });
    const unknown = await call(fake, '/measure', { action: 'getmeasures' }, token);
    expect(unknown).toMatchObject({ http: 200, json: { status: 2554 } });
    const badParam = await call(fake, '/measure', { action: 'getmeas', lastupdate: 'yesterday' }, token);
    expect(badParam).toMatchObject({ http: 200, json: { status: 503, error: 'Invalid Params: lastupdate' } });
  });

  it('routes on action from the query as well, and accepts access_token in the query (GET)', async () => {
    const res = await fetch(`${fake.url}/measure?action=getmeas&meastype=4&access_token=${token}`);
    const json = (await res.json()) as Envelope;
    expect(json.status).toBe(0);
    const groups = json.body.measuregrps as Group[];
    expect(groups.length).toBe(1);
    expect(groups[0]?.measures.map((m) => m.type)).toEqual([4]);
  });

  it('filters getmeas by meastypes, category and date window', async () => {
    const all = (await call(fake, '/measure', { action: 'getmeas' }, token)).json.body;
    const groups = all.measuregrps as Group[];
    expect(groups.length).toBeGreaterThan(15);
    expect(all.timezone).toBe('Europe/Paris');
    const dates = groups.map((g) => g.date);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    const first = groups[groups.length - 1]!.date;
    const window = (
      await call(fake, '/measure', { action: 'getmeas', startdate: first, enddate: first + 10 * DAY }, token)
    ).json.body;
    expect((window.measuregrps as Group[]).every((g) => g.date >= first && g.date <= first + 10 * DAY)).toBe(
      true,
    );
    const fat = (await call(fake, '/measure', { action: 'getmeas', meastypes: '6', category: 1 }, token)).json
      .body;
    expect(
      (fat.measuregrps as Group[]).every((g) => g.measures.every((m) => m.type === 6 && m.unit === -2)),
    ).toBe(true);
    const goals = (await call(fake, '/measure', { action: 'getmeas', category: 2 }, token)).json.body;
    expect(goals.measuregrps).toEqual([]);
  });

  it('stores values as (integer, exponent) pairs that round-trip exactly', async () => {
    const date = Math.floor(clock.now().getTime() / 1000) - 3600;
    const g = fake.store.addGroup(Number(user), { date, values: { 1: 72.45, 6: 18.5, 4: 1.783 } });
    const body = (await call(fake, '/measure', { action: 'getmeas', lastupdate: g.modified - 1 }, token)).json
      .body;
    const got = (body.measuregrps as Group[]).find((x) => x.grpid === g.grpid);
    expect(got?.measures.map((m) => [m.type, m.value, m.unit])).toEqual([
      [1, 72450, -3],
      [4, 1783, -3],
      [6, 1850, -2],
    ]);
    expect(got?.measures.map((m) => decodeMeasure(m))).toEqual([72.45, 1.783, 18.5]);
    expect(() => encodeMeasure(6, 18.456)).toThrow(/keeps 2 decimals/);
  });

  it('returns only groups modified after lastupdate (edits included)', async () => {
    const groups = (await call(fake, '/measure', { action: 'getmeas' }, token)).json.body
      .measuregrps as Group[];
    const max = Math.max(...groups.map((g) => g.modified));
    expect(
      (await call(fake, '/measure', { action: 'getmeas', lastupdate: max }, token)).json.body.measuregrps,
    ).toEqual([]);
    clock.advance(60);
    const added = fake.store.addGroup(Number(user), {
      date: Math.floor(clock.now().getTime() / 1000),
      values: { 1: 80.1 },
    });
    const edited = fake.store.editGroup(Number(user), groups[5]!.grpid, { 1: 81.2 });
    const since = (await call(fake, '/measure', { action: 'getmeas', lastupdate: max }, token)).json.body
      .measuregrps as Group[];
    expect(since.map((g) => g.grpid).sort()).toEqual([added.grpid, edited.grpid].sort());
    expect(since.find((g) => g.grpid === edited.grpid)?.measures).toEqual([
      { value: 81200, type: 1, unit: -3, algo: 0, fm: 128 },
    ]);
  });

  it('pages getmeas with more 0/1 and offset until the last page', async () => {
    fake.setPageSize(7);
    try {
      expect(
        (await call(fake, '/measure', { action: 'getmeas', meastypes: '1,4,6' }, token)).json.body.more,
      ).toBe(1);
      const seen: number[] = [];
      let offset = 0;
      for (let pages = 0; ; pages++) {
        expect(pages).toBeLessThan(20);
        const body = (await call(fake, '/measure', { action: 'getmeas', meastypes: '1,4,6', offset }, token))
          .json.body;
        seen.push(...(body.measuregrps as Group[]).map((g) => g.grpid));
        expect(body.more === 0 || body.more === 1).toBe(true);
        if (body.more === 0) {
          expect(body.offset).toBe(0);
          break;
        }
        expect(body.offset).toBe(offset + 7);
        offset = body.offset as number;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(fake.store.user(Number(user))?.groups.length);
    } finally {
      fake.setPageSize(200);
    }
  });

  it('pages getworkouts with a boolean more, and filters by lastupdate and day', async () => {
    fake.setPageSize(2);
    try {
      const first = (await call(fake, '/v2/measure', { action: 'getworkouts', lastupdate: 0 }, token)).json
        .body;
      expect(first.more).toBe(true);
      expect(first.offset).toBe(2);
      const series = first.series as {
        id: number;
        date: string;
        modified: number;
        data: Record<string, unknown>;
      }[];
      expect(series[0]).toMatchObject({
        timezone: 'Europe/Paris',
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      const day = series[0]!.date;
      const sameDay = (
        await call(fake, '/v2/measure', { action: 'getworkouts', startdateymd: day, enddateymd: day }, token)
      ).json.body;
      expect((sameDay.series as { date: string }[]).every((w) => w.date === day)).toBe(true);
      const fields = (
        await call(fake, '/v2/measure', { action: 'getworkouts', data_fields: 'calories,distance' }, token)
      ).json.body;
      expect(Object.keys((fields.series as { data: object }[])[0]!.data).sort()).toEqual([
        'calories',
        'distance',
      ]);
    } finally {
      fake.setPageSize(200);
    }
    const all = (await call(fake, '/v2/measure', { action: 'getworkouts', lastupdate: 0 }, token)).json.body;
    expect(all.more).toBe(false);
  });

  it('answers an expired or revoked token with status 401 in the body', async () => {
    const other = fake.controls.createUser();
    const tokens = await connectThroughConsent(resolveAgainstFake(declaration, fake), {
      redirectUri: REDIRECT,
      user: other,
    });
    expect((await call(fake, '/measure', { action: 'getmeas' }, tokens.accessToken)).json.status).toBe(0);
    fake.controls.expireAccessTokens(other);
    expect((await call(fake, '/measure', { action: 'getmeas' }, tokens.accessToken)).json).toMatchObject({
      status: 401,
      error: expect.stringContaining('invalid_token'),
    });
  });

  it('checks the callback with HEAD on subscribe, then delivers form POSTs with retries', async () => {
    let failures = 1;
    const cb = await callbackServer((req) => (req.method === 'POST' && failures-- > 0 ? 500 : 200));
    try {
      const sub = await call(
        fake,
        '/notify',
        { action: 'subscribe', callbackurl: cb.url, appli: 1, comment: 'weight' },
        token,
      );
      expect(sub.json).toEqual({ status: 0, body: {} });
      expect(cb.received.map((r) => r.method)).toEqual(['HEAD']);
      const list = await call(fake, '/notify', { action: 'list' }, token);
      expect(list.json.body).toEqual({
        profiles: [{ appli: 1, callbackurl: cb.url, expires: 2147483647, comment: 'weight' }],
      });
      expect(
        (await call(fake, '/notify', { action: 'get', callbackurl: cb.url }, token)).json.body,
      ).toMatchObject({ appli: 1 });

      const [delivery] = await fake.notify(user, 'measurement', 1530576000, 1530698753);
      expect(delivery?.ok).toBe(true);
      expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 200]);
      const posts = cb.received.filter((r) => r.method === 'POST');
      expect(posts.length).toBe(2);
      expect(posts[1]?.contentType).toBe('application/x-www-form-urlencoded');
      expect(posts[1]?.body).toBe(`userid=${user}&appli=1&startdate=1530576000&enddate=1530698753`);
      expect(await fake.notify(user, 'exercise')).toEqual([]);

      expect(
        (await call(fake, '/notify', { action: 'revoke', callbackurl: cb.url, appli: 1 }, token)).json.status,
      ).toBe(0);
      expect(
        (await call(fake, '/notify', { action: 'revoke', callbackurl: cb.url, appli: 1 }, token)).json.status,
      ).toBe(286);
      expect((await call(fake, '/notify', { action: 'list' }, token)).json.body).toEqual({ profiles: [] });
    } finally {
      await cb.close();
    }
  });

  it('refuses a callback that does not answer HEAD with 2xx, or an unknown appli', async () => {
    const cb = await callbackServer(() => 404);
    try {
      const res = await call(fake, '/notify', { action: 'subscribe', callbackurl: cb.url, appli: 1 }, token);
      expect(res.json.status).toBe(293);
      expect(
        (await call(fake, '/notify', { action: 'subscribe', callbackurl: cb.url, appli: 3 }, token)).json
          .status,
      ).toBe(503);
      expect((await call(fake, '/notify', { action: 'list' }, token)).json.body).toEqual({ profiles: [] });
    } finally {
      await cb.close();
    }
  });

  it('injects infrastructure failures and rate limiting for tests', async () => {
    fake.controls.failNext(1, 502);
    const down = await fetch(`${fake.url}/measure?action=getmeas`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(down.status).toBe(502);
    fake.controls.rateLimitNext(60);
    expect((await call(fake, '/measure', { action: 'getmeas' }, token)).json.status).toBe(601);
    expect((await call(fake, '/measure', { action: 'getmeas' }, token)).json.status).toBe(0);
  });
});

describe('Withings fake token endpoint (v2/oauth2 requesttoken)', () => {
  const clock = movableClock();
  let fake: WithingsFakeHandle;

  beforeAll(async () => {
    fake = await startFake({ clock, demoUsers: 1, redirectUris: [REDIRECT] });
  });
  afterAll(() => fake.close());

  async function code(): Promise<string> {
    const url = new URL(`${fake.url}/oauth2_user/authorize2`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: fake.clientId,
      state: 's',
      scope: 'user.info,user.metrics,user.activity',
      redirect_uri: REDIRECT,
      auto: 'allow',
      fake_user: fake.demoUserIds[0] ?? '',
    }))
      url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
  }

  const token = (form: Record<string, string>) =>
    call(fake, '/v2/oauth2', {
      action: 'requesttoken',
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      ...form,
    });

  it('wraps tokens in {status, body} with an integer userid; codes are single use and exact about redirect_uri', async () => {
    const c = await code();
    const first = await token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT });
    expect(first.http).toBe(200);
    expect(first.json).toMatchObject({
      status: 0,
      body: {
        userid: Number(fake.demoUserIds[0]),
        expires_in: 10800,
        token_type: 'Bearer',
        scope: 'user.info,user.metrics,user.activity',
      },
    });
    const again = await token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT });
    expect(again.json).toMatchObject({ status: 503, error: expect.stringContaining('invalid code') });
    const wrongRedirect = await token({
      grant_type: 'authorization_code',
      code: await code(),
      redirect_uri: `${REDIRECT}x`,
    });
    expect(wrongRedirect.json.status).toBe(503);
    const otherAction = await call(fake, '/v2/oauth2', { action: 'getdemoaccess', client_id: fake.clientId });
    expect(otherAction.json.status).toBe(2554);
  });

  it('lets a code live 30 seconds', async () => {
    const c = await code();
    clock.advance(31);
    const late = await token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT });
    expect(late.json).toMatchObject({ status: 503, error: expect.stringContaining('invalid code') });
  });

  it('rotates refresh tokens; the old one works until the new access token is used', async () => {
    const issued = (
      await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT })
    ).json.body;
    const r1 = String(issued.refresh_token);
    const second = (await token({ grant_type: 'refresh_token', refresh_token: r1 })).json;
    expect(second.status).toBe(0);
    expect(second.body.refresh_token).not.toBe(r1);
    const retry = (await token({ grant_type: 'refresh_token', refresh_token: r1 })).json;
    expect(retry.status).toBe(0);
    await call(fake, '/measure', { action: 'getmeas' }, String(retry.body.access_token));
    expect((await token({ grant_type: 'refresh_token', refresh_token: r1 })).json.status).toBe(503);
  });
});

describe('Withings fake rate limit', () => {
  it('answers status 601 after 120 requests in a minute, application-wide, and recovers', async () => {
    const clock = movableClock();
    const fake = await startFake({ clock, demoUsers: 2, redirectUris: [REDIRECT] });
    try {
      const resolved = resolveAgainstFake(declaration, fake);
      const [a, b] = await Promise.all(
        fake.demoUserIds.map((u) => connectThroughConsent(resolved, { redirectUri: REDIRECT, user: u })),
      );
      const statuses: number[] = [];
      for (let i = 0; i < 121; i++)
        statuses.push(
          (await call(fake, '/measure', { action: 'getmeas' }, (i % 2 ? a : b)!.accessToken)).json.status,
        );
      expect(statuses.slice(0, 120).every((s) => s === 0)).toBe(true);
      expect(statuses[120]).toBe(601);
      clock.advance(61);
      expect((await call(fake, '/measure', { action: 'getmeas' }, a!.accessToken)).json.status).toBe(0);
    } finally {
      await fake.close();
    }
  });
});
