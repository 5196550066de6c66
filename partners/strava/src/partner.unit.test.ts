import type { WebhookRequest } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { api } from './api.js';
import event from './fixtures/event.json' with { type: 'json' };
import { declaration } from './partner.js';

const webhook = declaration.webhook;
const ctx = { clientSecret: 'strava-secret', verifyToken: 'STRAVA' };
const req = (over: Partial<WebhookRequest> & { body?: unknown }): WebhookRequest => ({
  method: 'POST',
  query: {},
  headers: {},
  rawBody: Buffer.from(over.body === undefined ? '' : JSON.stringify(over.body)),
  ...over,
});
const hub = (query: Record<string, string>) => req({ method: 'GET', query });

describe('hub.challenge handshake', () => {
  it('echoes the challenge with 200 when the verify token matches', () => {
    const r = webhook.handshake?.(
      hub({
        'hub.mode': 'subscribe',
        'hub.challenge': '15f7d1a91c1f40f8a748fd134752feb3',
        'hub.verify_token': 'STRAVA',
      }),
      ctx,
    );
    expect(r).toEqual({ status: 200, body: { 'hub.challenge': '15f7d1a91c1f40f8a748fd134752feb3' } });
  });

  it('answers 403 for a wrong or missing token, or when no token is configured', () => {
    expect(
      webhook.handshake?.(
        hub({ 'hub.mode': 'subscribe', 'hub.challenge': 'x', 'hub.verify_token': 'nope' }),
        ctx,
      ),
    ).toEqual({ status: 403 });
    expect(webhook.handshake?.(hub({ 'hub.mode': 'subscribe', 'hub.challenge': 'x' }), ctx)).toEqual({
      status: 403,
    });
    expect(
      webhook.handshake?.(hub({ 'hub.mode': 'subscribe', 'hub.challenge': 'x', 'hub.verify_token': '' }), {
        clientSecret: 's',
      }),
    ).toEqual({
      status: 403,
    });
  });

  it('is not a handshake for an event POST', () => {
    expect(webhook.handshake?.(req({ body: event }), ctx)).toBeNull();
  });
});

describe('event verification and parsing', () => {
  it('accepts a well-formed event, and checks the subscription id when it is configured', () => {
    expect(webhook.verify(req({ body: event }), ctx)).toBe(true);
    expect(webhook.verify(req({ body: event }), { ...ctx, subscriptionId: '120475' })).toBe(true);
    expect(webhook.verify(req({ body: event }), { ...ctx, subscriptionId: '999' })).toBe(false);
  });

  it('rejects malformed events', () => {
    expect(webhook.verify(req({ body: { ...event, object_type: 'club' } }), ctx)).toBe(false);
    expect(webhook.verify(req({ body: { ...event, owner_id: 'x' } }), ctx)).toBe(false);
    expect(webhook.verify(req({ rawBody: Buffer.from('not json') }), ctx)).toBe(false);
    expect(webhook.verify(req({ method: 'GET', body: event }), ctx)).toBe(false);
  });

  it('turns an activity event into exercise and a deauthorization into revoked', () => {
    expect(webhook.parse(req({ body: event }))).toEqual([{ externalUserId: '134815', kinds: ['exercise'] }]);
    const deauth = { ...event, object_type: 'athlete', object_id: 134815, updates: { authorized: 'false' } };
    expect(webhook.parse(req({ body: deauth }))).toEqual([
      { externalUserId: '134815', kinds: [], revoked: true },
    ]);
  });

  it('answers 200 when accepted and 403 when rejected', () => {
    expect([webhook.accepted.status, webhook.rejected.status]).toEqual([200, 403]);
  });
});

describe('token response', () => {
  it('names the athlete id as the external user id', () => {
    const gen = declaration.auth.generations.oauth2;
    expect(gen.externalUserId?.({ access_token: 'a', athlete: { id: 227615 } })).toBe('227615');
    expect(gen.externalUserId?.({ access_token: 'a' })).toBeUndefined();
  });
});

describe('responses', () => {
  const res = (headers: Record<string, string>, status = 200, body: unknown = {}) => ({
    status,
    headers,
    body,
    text: '',
  });
  const now = new Date('2024-03-01T10:07:00Z');

  it('takes the tightest window of X-RateLimit-* and X-ReadRateLimit-*', () => {
    const quarter = res({
      'x-ratelimit-limit': '200,2000',
      'x-ratelimit-usage': '20,300',
      'x-readratelimit-limit': '100,1000',
      'x-readratelimit-usage': '95,300',
    });
    expect(api.rateLimitHeaders(quarter, now)).toEqual({
      remaining: 5,
      resetAt: new Date('2024-03-01T10:15:00Z'),
    });
    const daily = res({ 'x-ratelimit-limit': '200,2000', 'x-ratelimit-usage': '20,1998' });
    expect(api.rateLimitHeaders(daily, now)).toEqual({
      remaining: 2,
      resetAt: new Date('2024-03-02T00:00:00Z'),
    });
    expect(api.rateLimitHeaders(res({}), now)).toBeNull();
  });

  it('classifies a 400 with its resource, field and code', () => {
    const body = {
      message: 'Bad Request',
      errors: [{ resource: 'Activity', field: 'start_date_local', code: 'missing' }],
    };
    expect(api.classify(res({}, 400, body))).toEqual({
      code: 'invalid_data',
      message: 'HTTP 400: resource=Activity field=start_date_local code=missing',
    });
    expect(api.classify(res({}, 201))).toBeNull();
  });
});
