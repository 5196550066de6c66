import { topology as buildTopology } from '@healthsync/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, type OutgoingEvent } from '../envelope.js';
import { createLogger } from '../logger.js';
import { createTestVhost, type TestVhost } from '../testing/index.js';
import { type Bus, createBus } from './bus.js';

const logger = createLogger('bus-reconnect-test', 'silent');
const topology = buildTopology(['fitbit']);
const dueQueue = topology.consumers.find((q) => q.name === 'sync-worker.fitbit.due')!;

let vhost: TestVhost;
let producer: Bus;
let consumer: Bus;

beforeAll(async () => {
  vhost = await createTestVhost();
  const options = { url: vhost.url, topology, logger, reconnect: { initialMs: 50, maxMs: 1_000 } };
  producer = await createBus({ ...options, serviceName: 'ledger-producer' });
  consumer = await createBus({ ...options, serviceName: 'ledger-consumer' });
});

afterAll(async () => {
  await producer?.close();
  await consumer?.close();
  await vhost?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function due(i: number): OutgoingEvent {
  return createEvent(
    'sync.due',
    {
      userId: `u-${i}`,
      partner: 'fitbit',
      reasons: ['poll'],
      dueAt: '2026-11-23T10:00:00.000Z',
      fence: i,
      leaseExpiresAt: '2026-11-23T10:05:00.000Z',
    },
    { source: 'ledger' },
  );
}

describe('a broker that drops every connection', () => {
  it('loses none of 10,000 published events: consumers come back by themselves', {
    timeout: 180_000,
  }, async () => {
    const received = new Set<string>();
    let deliveries = 0;
    await consumer.consume(dueQueue, {
      'sync.due': async (_payload, envelope) => {
        deliveries++;
        received.add(envelope.id);
        await sleep(0);
      },
    });

    const published = new Set<string>();
    let done = false;
    const publishing = (async () => {
      for (let b = 0; b < 100; b++) {
        const batch = Array.from({ length: 100 }, (_, i) => due(b * 100 + i));
        // A publisher that owns its ledger retries until the broker confirmed.
        for (;;) {
          try {
            await producer.publish(batch);
            break;
          } catch {
            await sleep(50);
          }
        }
        for (const e of batch) published.add(e.envelope.id);
        await sleep(80);
      }
      done = true;
    })();

    // The management API lists new connections after a few seconds; close whatever it lists.
    let closed = 0;
    while (!done) {
      closed += await vhost.closeConnections();
      await sleep(300);
    }
    await publishing;
    // One more round after the last publish, while deliveries are still under way.
    while (closed < 6) {
      closed += await vhost.closeConnections();
      await sleep(300);
    }

    const deadline = Date.now() + 90_000;
    while (received.size < published.size && Date.now() < deadline) await sleep(100);

    expect(published.size).toBe(10_000);
    expect(closed).toBeGreaterThanOrEqual(6);
    expect([...published].filter((id) => !received.has(id))).toEqual([]);
    expect(received.size).toBe(published.size);
    expect(consumer.connected).toBe(true);
    // Redeliveries after the drops happen (at-least-once); the ledger dedups by id.
    expect(deliveries).toBeGreaterThanOrEqual(10_000);
  });
});
