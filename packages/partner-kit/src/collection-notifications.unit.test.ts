import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { collectionNotifications } from './collection-notifications.js';
import type { WebhookRequest } from './define-partner.js';

const request = (body: unknown): WebhookRequest => ({
  method: 'POST',
  headers: {},
  query: {},
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const Entries = z.array(z.looseObject({ kind: z.string(), owner: z.string().min(1) }));
const parse = collectionNotifications(Entries, {
  user: 'owner',
  collection: 'kind',
  kinds: { body: 'measurement', activities: 'exercise' },
  revoked: 'revoked',
});

describe('collectionNotifications', () => {
  it('merges the entries of a batch into one notification per user, with every kind named', () => {
    expect(
      parse(
        request([
          { kind: 'body', owner: 'A' },
          { kind: 'activities', owner: 'A' },
          { kind: 'body', owner: 'B', extra: 1 },
          { kind: 'sleep', owner: 'C' },
        ]),
      ),
    ).toEqual([
      { externalUserId: 'A', kinds: ['measurement', 'exercise'] },
      { externalUserId: 'B', kinds: ['measurement'] },
      { externalUserId: 'C', kinds: [] },
    ]);
  });

  it('marks a user revoked by the revoking collection, and reads a single entry', () => {
    expect(parse(request([{ kind: 'revoked', owner: 'A' }]))).toEqual([
      { externalUserId: 'A', kinds: [], revoked: true },
    ]);
    const single = collectionNotifications(z.looseObject({ type: z.string(), user: z.number() }), {
      user: 'user',
      collection: 'type',
      kinds: { activity: 'exercise' },
    });
    expect(single(request({ type: 'activity', user: 7 }))).toEqual([
      { externalUserId: '7', kinds: ['exercise'] },
    ]);
  });

  it('throws on a body that is not JSON or does not match the schema; inherited names are no collections', () => {
    expect(() => parse(request('not json'))).toThrow();
    expect(() => parse(request([{ kind: 'body' }]))).toThrow();
    expect(parse(request([{ kind: 'constructor', owner: 'A' }]))).toEqual([
      { externalUserId: 'A', kinds: [] },
    ]);
  });
});
