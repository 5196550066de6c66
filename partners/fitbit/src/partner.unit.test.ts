import type { WebhookRequest } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { api } from './api.js';
import { declaration, fitbitSignature } from './partner.js';

const webhook = declaration.webhook;
const ctx = { clientSecret: 'fitbit-client-secret', verifyToken: 'verify-me' };
const VECTOR_BODY =
  '[{"collectionType":"body","date":"2024-03-01","ownerId":"GGNJL9","ownerType":"user","subscriptionId":"user-42-body"}]';

function req(over: Partial<WebhookRequest> & { body?: string }): WebhookRequest {
  return { method: 'POST', query: {}, headers: {}, rawBody: Buffer.from(over.body ?? ''), ...over };
}

describe('Fitbit subscriber verification', () => {
  it('answers 204 for the configured code and 404 for any other', () => {
    expect(webhook.handshake?.(req({ method: 'GET', query: { verify: 'verify-me' } }), ctx)).toEqual({
      status: 204,
    });
    expect(webhook.handshake?.(req({ method: 'GET', query: { verify: 'wrong' } }), ctx)).toEqual({
      status: 404,
    });
    expect(webhook.handshake?.(req({ method: 'GET' }), ctx)).toEqual({ status: 404 });
    expect(webhook.handshake?.(req({ method: 'GET', query: { verify: '' } }), { clientSecret: 'x' })).toEqual(
      { status: 404 },
    );
  });

  it('is not a handshake for a POST', () => {
    expect(webhook.handshake?.(req({ body: '[]' }), ctx)).toBeNull();
  });
});

describe('X-Fitbit-Signature', () => {
  it('matches the reference vector', () => {
    expect(fitbitSignature.sign('fitbit-client-secret', Buffer.from(VECTOR_BODY))).toBe(
      'P9QXl6/zgfmqUqUwb2bBH5ihc0w=',
    );
  });

  it('accepts a correctly signed body and rejects a tampered body, a wrong secret or no signature', () => {
    const headers = { 'x-fitbit-signature': 'P9QXl6/zgfmqUqUwb2bBH5ihc0w=' };
    expect(webhook.verify(req({ body: VECTOR_BODY, headers }), ctx)).toBe(true);
    expect(webhook.verify(req({ body: VECTOR_BODY.replace('GGNJL9', 'GGNJL8'), headers }), ctx)).toBe(false);
    expect(webhook.verify(req({ body: VECTOR_BODY, headers }), { clientSecret: 'other' })).toBe(false);
    expect(webhook.verify(req({ body: VECTOR_BODY }), ctx)).toBe(false);
    expect(webhook.verify(req({ body: VECTOR_BODY, headers: { 'x-fitbit-signature': 'short' } }), ctx)).toBe(
      false,
    );
  });
});

describe('notification parsing', () => {
  it('groups a batch by owner and maps collections to kinds', () => {
    const body = JSON.stringify([
      { collectionType: 'body', date: '2024-03-01', ownerId: 'A', ownerType: 'user', subscriptionId: 's1' },
      { collectionType: 'foods', date: '2024-03-01', ownerId: 'A', ownerType: 'user', subscriptionId: 's2' },
      {
        collectionType: 'activities',
        date: '2024-03-01',
        ownerId: 'B',
        ownerType: 'user',
        subscriptionId: 's3',
      },
      { collectionType: 'sleep', date: '2024-03-01', ownerId: 'B', ownerType: 'user', subscriptionId: 's4' },
    ]);
    expect(webhook.parse(req({ body }))).toEqual([
      { externalUserId: 'A', kinds: ['measurement', 'food'] },
      { externalUserId: 'B', kinds: ['exercise'] },
    ]);
  });

  it('reports userRevokedAccess as revoked', () => {
    const body = JSON.stringify([{ collectionType: 'userRevokedAccess', ownerId: 'A', ownerType: 'user' }]);
    expect(webhook.parse(req({ body }))).toEqual([{ externalUserId: 'A', kinds: [], revoked: true }]);
  });

  it('throws on a malformed body', () => {
    expect(() => webhook.parse(req({ body: '{"not":"an array"}' }))).toThrow();
    expect(() => webhook.parse(req({ body: '[{"collectionType":"body"}]' }))).toThrow();
    expect(() => webhook.parse(req({ body: 'nope' }))).toThrow();
  });

  it('answers 204 when accepted and 404 when rejected', () => {
    expect([webhook.accepted.status, webhook.rejected.status]).toEqual([204, 404]);
  });
});

describe('responses', () => {
  const res = (status: number, headers: Record<string, string>, body: unknown = {}) => ({
    status,
    headers,
    body,
    text: '',
  });

  it('reads the Fitbit-Rate-Limit headers (reset is seconds from now)', () => {
    const now = new Date('2024-03-01T10:59:00Z');
    const r = res(200, {
      'fitbit-rate-limit-limit': '150',
      'fitbit-rate-limit-remaining': '7',
      'fitbit-rate-limit-reset': '60',
    });
    expect(api.rateLimitHeaders(r, now)).toEqual({ remaining: 7, resetAt: new Date('2024-03-01T11:00:00Z') });
    expect(api.rateLimitHeaders(res(200, {}), now)).toBeNull();
  });

  it('classifies a 400 validation error as invalid data without echoing the message', () => {
    const body = {
      errors: [{ errorType: 'validation', fieldName: 'date', message: 'Invalid date: eyJsecret' }],
      success: false,
    };
    // The client names the partner and the call before it: `Fitbit POST /...: HTTP 400: ...`.
    expect(api.classify(res(400, {}, body))).toEqual({
      code: 'invalid_data',
      message: 'HTTP 400: errorType=validation fieldName=date',
    });
    expect(api.classify(res(201, {}))).toBeNull();
  });
});
