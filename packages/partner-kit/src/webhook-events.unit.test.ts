import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { WebhookRequest } from './define-partner.js';
import { hmacHeader } from './webhook.js';
import { webhookEvents } from './webhook-events.js';

const post = (body: string, over: Partial<WebhookRequest> = {}): WebhookRequest => ({
  method: 'POST',
  query: {},
  headers: {},
  rawBody: Buffer.from(body),
  ...over,
});
const ctx = { clientSecret: 'secret' };

describe('webhookEvents: one JSON event per body', () => {
  const Event = z.looseObject({
    object_type: z.enum(['activity', 'athlete']),
    owner_id: z.number().int().positive(),
    subscription_id: z.number().int(),
    updates: z.record(z.string(), z.unknown()).optional(),
  });
  const hook = webhookEvents({
    json: Event,
    user: 'owner_id',
    subscription: 'subscription_id',
    kinds: { from: 'object_type', table: { activity: ['exercise'] } },
    revoked: (e) => e.object_type === 'athlete' && String(e.updates?.authorized) === 'false',
  });
  const activity = JSON.stringify({ object_type: 'activity', owner_id: 134815, subscription_id: 7 });

  it('reads the user (an integer id as text) and the kinds of the event code', () => {
    expect(hook.parse(post(activity))).toEqual([{ externalUserId: '134815', kinds: ['exercise'] }]);
  });

  it('reads a revocation, and leaves out an event that makes nothing due', () => {
    const athlete = { object_type: 'athlete', owner_id: 5, subscription_id: 7 };
    expect(hook.parse(post(JSON.stringify({ ...athlete, updates: { authorized: 'false' } })))).toEqual([
      { externalUserId: '5', kinds: [], revoked: true },
    ]);
    expect(hook.parse(post(JSON.stringify({ ...athlete, updates: { title: 'x' } })))).toEqual([]);
  });

  it('verifies a POST with a readable event, in the configured subscription when one is', () => {
    expect(hook.verify(post(activity), ctx)).toBe(true);
    expect(hook.verify(post(activity), { ...ctx, subscriptionId: '7' })).toBe(true);
    expect(hook.verify(post(activity), { ...ctx, subscriptionId: '8' })).toBe(false);
    expect(hook.verify(post(activity, { method: 'GET' }), ctx)).toBe(false);
    expect(hook.verify(post('not json'), ctx)).toBe(false);
    expect(
      hook.verify(post(JSON.stringify({ object_type: 'club', owner_id: 1, subscription_id: 7 })), ctx),
    ).toBe(false);
  });

  it('throws on a body it cannot read', () => {
    expect(() => hook.parse(post('{}'))).toThrow('malformed webhook body');
  });
});

describe('webhookEvents: form bodies, lists of events, signatures', () => {
  it('reads a form body merged over the query, with computed kinds', () => {
    const hook = webhookEvents({
      form: z.looseObject({ userid: z.string().regex(/^\d+$/), appli: z.coerce.number() }),
      user: 'userid',
      kinds: (n) => (n.appli === 1 ? ['measurement'] : []),
    });
    expect(hook.parse(post('userid=12&appli=1'))).toEqual([{ externalUserId: '12', kinds: ['measurement'] }]);
    expect(hook.parse(post('', { query: { userid: '34', appli: '1' } }))).toEqual([
      { externalUserId: '34', kinds: ['measurement'] },
    ]);
    expect(hook.verify(post('userid=abc&appli=1'))).toBe(false);
    expect(() => hook.parse(post('appli=1'))).toThrow(/malformed/);
  });

  it('merges a list of events per user, and checks the signature first', () => {
    const signature = hmacHeader({ header: 'x-signature', algorithm: 'sha1', encoding: 'base64' });
    const hook = webhookEvents({
      json: z.array(z.looseObject({ collectionType: z.string(), ownerId: z.string() })),
      user: 'ownerId',
      kinds: { from: 'collectionType', table: { body: ['measurement'], activities: ['exercise'] } },
      revoked: (n) => n.collectionType === 'userRevokedAccess',
      authentic: signature.verify,
    });
    const body = JSON.stringify([
      { collectionType: 'body', ownerId: 'A1' },
      { collectionType: 'activities', ownerId: 'A1' },
      { collectionType: 'sleep', ownerId: 'B2' },
      { collectionType: 'userRevokedAccess', ownerId: 'C3' },
    ]);
    expect(hook.parse(post(body))).toEqual([
      { externalUserId: 'A1', kinds: ['measurement', 'exercise'] },
      { externalUserId: 'C3', kinds: [], revoked: true },
    ]);
    const signed = { 'x-signature': signature.sign('secret', Buffer.from(body)) };
    expect(hook.verify(post(body, { headers: signed }), ctx)).toBe(true);
    expect(hook.verify(post(body, { headers: { 'x-signature': 'forged' } }), ctx)).toBe(false);
    expect(hook.verify(post(body, { headers: signed }))).toBe(false);
  });
});

describe('webhookEvents: JSON events without a schema of their own', () => {
  const hook = webhookEvents({
    user: 'ownerId',
    kinds: { from: 'collectionType', table: { body: ['measurement'] } },
    revoked: (n) => n.collectionType === 'userRevokedAccess',
  });

  it('reads one event or a list of them, each checked where it is read', () => {
    const one = JSON.stringify({ collectionType: 'body', ownerId: 'A1', date: '2026-12-01' });
    expect(hook.parse(post(one))).toEqual([{ externalUserId: 'A1', kinds: ['measurement'] }]);
    const list = JSON.stringify([
      { collectionType: 'body', ownerId: 'A1' },
      { collectionType: 'userRevokedAccess', ownerId: 'B2' },
    ]);
    expect(hook.parse(post(list))).toEqual([
      { externalUserId: 'A1', kinds: ['measurement'] },
      { externalUserId: 'B2', kinds: [], revoked: true },
    ]);
    expect(hook.verify(post(list), ctx)).toBe(true);
  });

  it('refuses a body with an event that names no user (or an empty one) or no code, or that is not JSON objects', () => {
    for (const body of [
      [{ collectionType: 'body' }],
      [{ collectionType: 'body', ownerId: '' }],
      [{ ownerId: 'A1' }],
      [{ collectionType: 'body', ownerId: 'A1' }, 'body'],
      'body',
    ])
      expect(hook.verify(post(JSON.stringify(body)), ctx)).toBe(false);
    expect(hook.verify(post('not json'), ctx)).toBe(false);
    expect(() => hook.parse(post('[{"ownerId":"A1"}]'))).toThrow('malformed webhook body');
  });
});

describe('webhookEvents: the whole webhook', () => {
  const Event = z.looseObject({ user: z.string(), kind: z.string() });
  const spec = { json: Event, user: 'user', kinds: { from: 'kind', table: { run: ['exercise' as const] } } };

  it('answers 200 to an accepted request and 400 to a rejected one unless told otherwise', () => {
    const plain = webhookEvents(spec);
    expect([plain.accepted, plain.rejected]).toEqual([{ status: 200 }, { status: 400 }]);
    expect(plain).not.toHaveProperty('handshake');
    const own = webhookEvents({ ...spec, accepted: { status: 204 }, rejected: { status: 404 } });
    expect([own.accepted, own.rejected]).toEqual([{ status: 204 }, { status: 404 }]);
  });

  it('keeps the handshake it is given', () => {
    const hook = webhookEvents({
      ...spec,
      handshake: (req) => (req.method === 'HEAD' ? { status: 200 } : null),
    });
    expect(hook.handshake(post('', { method: 'HEAD' }))).toEqual({ status: 200 });
    expect(hook.handshake(post('{}'))).toBeNull();
    expect(hook.parse(post(JSON.stringify({ user: 'a1', kind: 'run' })))).toEqual([
      { externalUserId: 'a1', kinds: ['exercise'] },
    ]);
  });
});
