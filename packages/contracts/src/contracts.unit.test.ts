import { describe, expect, it } from 'vitest';
import {
  catalog,
  consumerQueueDeclaration,
  DEAD_LETTER_EXCHANGE,
  envelopeSchema,
  formatZodError,
  queuesFor,
  retryQueueDeclaration,
  topicMatches,
  topology,
} from './index.js';

const partners = ['withings', 'fitbit', 'runkeeper', 'moves', 'strava'];
const t = topology(partners);

describe('event catalog', () => {
  it.each(Object.values(catalog))('$type example parses in a full envelope', (def) => {
    const envelope = {
      id: '0190f5a8-7b7e-7cc0-8a2e-6f1c2b3d4e5f',
      type: def.type,
      version: def.version,
      occurredAt: '2026-11-23T10:00:00.000Z',
      source: 'test',
      correlationId: 'c-1',
      causationId: null,
      payload: def.example,
    };
    expect(envelopeSchema(def).parse(envelope).payload).toEqual(def.example);
  });

  it.each(Object.values(catalog))('$type routing key matches its declared pattern', (def) => {
    const key = (def.routingKey as (p: unknown) => string)(def.example);
    expect(topicMatches(def.routingPattern, key)).toBe(true);
  });

  it('rejects a wrong payload with a readable error naming the field', () => {
    const result = catalog['sync.due'].payload.safeParse({ userId: 'u', partner: 'Not A Slug', reasons: [] });
    expect(result.success).toBe(false);
    if (result.success) return;
    const message = formatZodError(result.error);
    expect(message).toContain('partner:');
    expect(message).toContain('reasons:');
    expect(message).toContain('fence:');
  });
});

describe('topology', () => {
  it('binds every routing key of every event for every partner to some queue', () => {
    for (const def of Object.values(catalog)) {
      for (const partner of partners) {
        const example = { ...(def.example as object), partner } as never;
        const key = (def.routingKey as (p: unknown) => string)(example);
        expect(queuesFor(t, key).length, `${def.type} -> ${key}`).toBeGreaterThan(0);
      }
    }
  });

  it('routes each partner worker only its own sync.due', () => {
    expect(queuesFor(t, 'sync.due.fitbit').map((q) => q.name)).toEqual(['sync-worker.fitbit.due']);
  });

  it('gives every consumer queue a delivery limit and a dead-letter route, and retries return home', () => {
    for (const q of t.consumers) {
      const args = consumerQueueDeclaration(q).arguments;
      expect(args['x-queue-type']).toBe('quorum');
      expect(args['x-delivery-limit']).toBeGreaterThan(0);
      expect(args['x-dead-letter-exchange']).toBe(DEAD_LETTER_EXCHANGE);
      expect(args['x-dead-letter-routing-key']).toBe(q.name);
      expect(q.retryDelaysMs.length).toBeGreaterThan(0);
      for (const delay of q.retryDelaysMs) {
        const r = retryQueueDeclaration(q, delay).arguments;
        expect(r['x-message-ttl']).toBe(delay);
        expect(r['x-dead-letter-routing-key']).toBe(q.name);
      }
    }
  });

  it('matches topics like RabbitMQ does', () => {
    expect(topicMatches('a.*', 'a.b')).toBe(true);
    expect(topicMatches('a.*', 'a.b.c')).toBe(false);
    expect(topicMatches('a.#', 'a')).toBe(true);
    expect(topicMatches('a.#', 'a.b.c')).toBe(true);
    expect(topicMatches('#.c', 'a.b.c')).toBe(true);
  });
});
