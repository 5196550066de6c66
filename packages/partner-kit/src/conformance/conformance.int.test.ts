import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataKind } from '@healthsync/contracts';
import express from 'express';
import { z } from 'zod';
import type { Measurement } from '../containers.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import {
  definePartner,
  definePartnerApi,
  type KindResource,
  oauth2,
  type WebhookRequest,
} from '../define-partner.js';
import { createFaults } from '../fake/faults.js';
import { fakeBodyParsers, listen } from '../fake/http.js';
import { createFakeOAuth1Server } from '../fake/oauth1-server.js';
import { createFakeOAuth2Server } from '../fake/oauth2-server.js';
import { FixedWindowLimiter } from '../fake/rate-limit.js';
import { FakeUserStore, paginate } from '../fake/store.js';
import type { FakeHandle, StartFakeOptions } from '../fake/types.js';
import { FakeUsers } from '../fake/users.js';
import { remainingAndResetIn } from '../http/rate-headers.js';
import { oauth1 } from '../oauth1-generation.js';
import { fromKg, isoWithOffset, metricMeasurement } from '../units.js';
import { pollPage, sendable } from '../validate.js';
import { describeConformance } from './index.js';

/*
 * A tiny example partner, "Acme Scale", written only to exercise the conformance suite: OAuth 2.0
 * with PKCE (current) and a legacy OAuth 1.0a generation, weights stored in pounds, offset paging,
 * per-user hourly limits with headers and 429, signed JSON webhooks.
 */

const sign = (secret: string, body: Buffer) => createHmac('sha1', `${secret}&`).update(body).digest('base64');

const declaration = definePartner({
  id: 'acme',
  displayName: 'Acme Scale',
  apiUrl: 'https://api.acme.example/v1',
  docs: 'https://example.com/acme',
  auth: {
    current: 'oauth2',
    generations: {
      oauth2: oauth2({
        authorizeUrl: 'https://www.acme.example/oauth2/authorize',
        tokenUrl: 'https://api.acme.example/oauth2/token',
        revokeUrl: 'https://api.acme.example/oauth2/revoke',
        scopes: ['weight'],
        pkce: true,
        clientAuth: 'basic',
        refresh: 'rotating',
        externalUserId: (r) => (typeof r.user_id === 'string' ? r.user_id : undefined),
      }),
      legacy: oauth1({
        requestTokenUrl: 'https://api.acme.example/oauth/request_token',
        authorizeUrl: 'https://www.acme.example/oauth/authorize',
        accessTokenUrl: 'https://api.acme.example/oauth/access_token',
      }),
    },
  },
  capabilities: {
    measurement: { poll: true, push: true, update: false, delete: true },
  },
  rateLimits: [{ scope: 'user', limit: 150, windowSeconds: 3600, alignment: 'fixed' }],
  webhook: {
    verify: (req, ctx) => {
      const given = Buffer.from(req.headers['x-acme-signature'] ?? '');
      const expected = Buffer.from(sign(ctx.clientSecret, req.rawBody));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    parse: (req) =>
      z
        .array(z.object({ owner: z.string(), collection: z.literal('weight') }))
        .parse(JSON.parse(req.rawBody.toString('utf8')))
        .map((n) => ({ externalUserId: n.owner, kinds: ['measurement'] as DataKind[] })),
    accepted: { status: 204 },
    rejected: { status: 404 },
  },
});

const AcmeWeight = z.object({ id: z.number(), lb: z.number(), ts: z.number().int(), tz: z.string() });
const AcmePage = z.object({ items: z.array(z.unknown()), next_offset: z.number().nullable() });
const Cursor = z.object({ offset: z.number().int() });

const measurement: KindResource<Measurement> = {
  async poll(ctx, cursor) {
    const offset = decodeCursor(cursor, Cursor)?.offset ?? 0;
    const res = await ctx.http.request({ method: 'GET', path: '/weights', query: { offset, limit: 50 } });
    const page = AcmePage.parse(res.body);
    return pollPage(
      'measurement',
      page.items,
      (raw) => {
        const w = AcmeWeight.safeParse(raw);
        if (!w.success) return { reject: 'malformed weight' };
        const at = isoWithOffset(w.data.ts, w.data.tz);
        const value = metricMeasurement('weight', w.data.lb, 'lb');
        return {
          externalId: String(w.data.id),
          candidate: { type: 'weight', ...value, measuredAt: at.iso, utcOffsetMinutes: at.utcOffsetMinutes },
        };
      },
      {
        more: page.next_offset !== null,
        nextCursor: encodeCursor({ offset: page.next_offset ?? offset + page.items.length }),
      },
    );
  },
  async create(ctx, item) {
    // Written by hand: the resource re-checks the item itself (the suite's `writes` checks it does).
    const m = sendable('measurement', item, 'Acme Scale');
    const res = await ctx.http.request({
      method: 'POST',
      path: '/weights',
      json: { lb: fromKg(m.value, 'lb'), ts: Math.floor(Date.parse(m.measuredAt) / 1000), tz: 'UTC' },
    });
    return { externalId: String(z.object({ id: z.number() }).parse(res.body).id) };
  },
  async delete(ctx, externalId) {
    await ctx.http.request({ method: 'DELETE', path: `/weights/${externalId}` });
  },
};

const api = definePartnerApi({
  declaration,
  resources: { measurement },
  rateLimitHeaders: remainingAndResetIn('acme-rate-remaining', 'acme-rate-reset'),
});

interface AcmeFake extends FakeHandle {
  seedWeights(user: string, count: number): void;
  setPageSize(size: number | undefined): void;
}

async function startFake(options: StartFakeOptions = {}): Promise<AcmeFake> {
  const clientId = options.clientId ?? 'acme-client';
  const clientSecret = options.clientSecret ?? 'acme-secret';
  const users = new FakeUsers();
  const weights = new FakeUserStore<{ lb: number; ts: number; tz: string }>();
  const limiter = new FixedWindowLimiter({ limit: 150, windowSeconds: 3600 });
  let pageSize = 50;
  const faults = createFaults({
    rateLimited: (res, s) =>
      res
        .status(429)
        .set('retry-after', String(s))
        .json({ errors: [{ errorType: 'system', message: 'Too Many Requests' }] }),
  });
  const oauth2 = createFakeOAuth2Server({
    partner: 'Acme',
    clientId,
    clientSecret,
    ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
    users,
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/token',
    revokePath: '/oauth2/revoke',
    clientAuth: 'basic',
    pkce: 'required',
    refresh: 'rotating',
    accessTokenTtlSeconds: 28800,
    tokenFields: (id) => ({ user_id: id }),
  });
  const oauth1 = createFakeOAuth1Server({
    partner: 'Acme',
    consumerKey: clientId,
    consumerSecret: clientSecret,
    users,
    requestTokenPath: '/oauth/request_token',
    authorizePath: '/oauth/authorize',
    accessTokenPath: '/oauth/access_token',
    accessTokenFields: (id) => ({ user_id: id }),
  });
  const app = express();
  app.use(...fakeBodyParsers());
  app.use(oauth2.router);
  app.use(oauth1.router);
  app.use('/v1', faults.middleware, (req, res, next) => {
    const oauth1Call = req.get('authorization')?.startsWith('OAuth ');
    const auth = oauth1Call ? oauth1.authenticate(req) : oauth2.authenticate(req);
    if (!auth.ok) {
      res
        .status(401)
        .json({ errors: [{ errorType: auth.reason === 'expired' ? 'expired_token' : 'invalid_token' }] });
      return;
    }
    const d = limiter.take(auth.userId);
    res
      .set('acme-rate-remaining', String(d.remaining))
      .set('acme-rate-reset', String(Math.ceil((d.resetAt.getTime() - Date.now()) / 1000)));
    if (!d.allowed) {
      res.status(429).json({ errors: [{ errorType: 'system' }] });
      return;
    }
    res.locals.user = auth.userId;
    next();
  });
  const userOf = (res: express.Response) => String(res.locals.user);
  app.get('/v1/weights', (req, res) => {
    const page = paginate(
      weights.list(userOf(res)),
      Number(req.query.offset ?? 0),
      Math.min(Number(req.query.limit ?? 50), pageSize),
    );
    res.json({
      items: page.items.map((i) => ({ id: Number(i.id), ...i.data })),
      next_offset: page.more ? page.nextOffset : null,
    });
  });
  app.post('/v1/weights', (req, res) => {
    const body = z
      .object({ lb: z.number().positive(), ts: z.number().int(), tz: z.string() })
      .safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ errors: [{ errorType: 'validation' }] });
      return;
    }
    res.status(201).json({ id: Number(weights.insert(userOf(res), body.data).id) });
  });
  app.delete('/v1/weights/:id', (req, res) => {
    res.status(weights.remove(userOf(res), req.params.id) ? 204 : 404).end();
  });
  const server = await listen(app, options.port ?? 0);
  const notification = (user: string, _kind: DataKind): WebhookRequest => {
    const rawBody = Buffer.from(JSON.stringify([{ owner: user, collection: 'weight' }]));
    return {
      method: 'POST',
      query: {},
      headers: { 'content-type': 'application/json', 'x-acme-signature': sign(clientSecret, rawBody) },
      rawBody,
    };
  };
  return {
    url: server.url,
    clientId,
    clientSecret,
    close: () => server.close(),
    seedWeights: (user, count) => {
      const base = Math.floor(Date.now() / 1000) - 86_400;
      for (let i = 0; i < count; i++)
        weights.insert(user, { lb: 170 + i / 10, ts: base + i * 600, tz: 'America/New_York' });
    },
    setPageSize: (size) => {
      pageSize = size ?? 50;
    },
    controls: {
      createUser: (id) => users.create(id),
      expireAccessTokens: (id) => oauth2.expireAccessTokens(id),
      revokeUser: (id) => {
        oauth2.revokeUser(id);
        oauth1.revokeUser(id);
      },
      failNext: (count, status) => faults.failNext(count, status),
      rateLimitNext: (seconds, count) => faults.rateLimitNext(seconds, count),
      tokenEndpointCalls: () => oauth2.tokenEndpointCalls() + oauth1.tokenEndpointCalls(),
      notification,
    },
  };
}

describeConformance({
  api,
  startFake,
  failures: { reportsDelay: true },
  pagination: {
    kind: 'measurement',
    count: 8,
    seed: (fake, user, _kind, count) => fake.seedWeights(user, count),
    pageSize: (fake, size) => fake.setPageSize(size),
  },
  webhook: { kind: 'measurement' },
});
