import { topology as buildTopology, type Topology } from '@healthsync/contracts';
import { context, trace } from '@opentelemetry/api';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../envelope.js';
import { createLogger } from '../logger.js';
import { startTelemetry } from '../otel.js';
import { createTestVhost, management, type TestVhost } from '../testing/index.js';
import { type Bus, createBus, type HandlerContext } from './bus.js';
import { BusUnavailableError, UnroutableError } from './errors.js';

const telemetry = startTelemetry('bus-test', { inMemory: true });
const logger = createLogger('bus-test', 'silent');

// Short retry delays so a test sees a retry; the real delays are data in contracts.
const topology: Topology = (() => {
  const t = buildTopology(['fitbit']);
  return { ...t, consumers: t.consumers.map((q) => ({ ...q, retryDelaysMs: [200, 400] })) };
})();
const dueQueue = topology.consumers.find((q) => q.name === 'sync-worker.fitbit.due')!;
const eventsQueue = topology.consumers.find((q) => q.name === 'sync-worker.fitbit.events')!;

let vhost: TestVhost;
let bus: Bus;
let raw: ChannelModel;
let ch: Channel;

beforeAll(async () => {
  vhost = await createTestVhost();
  bus = await createBus({ url: vhost.url, topology, logger, serviceName: 'bus-test' });
  raw = await connect(vhost.url);
  ch = await raw.createChannel();
});

afterAll(async () => {
  await bus?.close();
  await raw?.close().catch(() => {});
  await telemetry.shutdown();
  await vhost?.drop();
});

function due(userId: string, partner = 'fitbit') {
  return createEvent(
    'sync.due',
    {
      userId,
      partner,
      reasons: ['poll'],
      dueAt: '2026-11-23T10:00:00.000Z',
      fence: 1,
      leaseExpiresAt: '2026-11-23T10:05:00.000Z',
    },
    { source: 'bus-test' },
  );
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Got {
  content: string;
  messageId: unknown;
  headers: Record<string, unknown>;
}

async function drainQueue(name: string): Promise<Got[]> {
  const out: Got[] = [];
  for (;;) {
    const m = await ch.get(name, { noAck: true });
    if (!m) return out;
    out.push({
      content: m.content.toString(),
      messageId: m.properties.messageId,
      headers: m.properties.headers ?? {},
    });
  }
}

async function drainUntil(name: string, count: number): Promise<Got[]> {
  let got: Got[] = [];
  await until(async () => {
    got = got.concat(await drainQueue(name));
    return got.length >= count;
  });
  return got;
}

const idOf = (m: Got) => (JSON.parse(m.content) as { id: string }).id;
const userOf = (m: Got) => (JSON.parse(m.content) as { payload: { userId: string } }).payload.userId;

describe('publish', () => {
  it('resolves once the broker confirmed, with the message in the bound queue', async () => {
    const e = due('u-confirm');
    await bus.publish([e]);
    const got = await drainQueue(dueQueue.name);
    expect(got.map(idOf)).toEqual([e.envelope.id]);
  });

  it('confirms a large batch', async () => {
    const events = Array.from({ length: 2_000 }, (_, i) => due(`u-${i}`));
    await bus.publish(events);
    const q = await ch.checkQueue(dueQueue.name);
    expect(q.messageCount).toBe(2_000);
    await ch.purgeQueue(dueQueue.name);
  });

  it('rejects with UnroutableError when no queue is bound for the routing key', async () => {
    // No worker queue for a partner that is not installed.
    const stray = due('u-stray', 'moves');
    const ok = due('u-ok');
    const error = await bus.publish([ok, stray]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnroutableError);
    expect((error as UnroutableError).messages).toEqual([
      { messageId: stray.envelope.id, routingKey: 'sync.due.moves' },
    ]);
    // The routable one went through; per-message outcomes say which one failed.
    expect((await drainQueue(dueQueue.name)).length).toBe(1);
    const outcomes = await bus.publishRaw([
      { routingKey: 'nobody.listens', body: '{}', messageId: 'm-1', type: 'x' },
    ]);
    expect(outcomes[0]?.ok).toBe(false);
  });
});

describe('consume', () => {
  it('refuses a handler map that misses a bound event type', async () => {
    await expect(bus.consume(eventsQueue, { 'shapeup.data-changed': async () => {} })).rejects.toThrow(
      /no handler for bound event type\(s\) connection\.connected/,
    );
  });

  it('retries a transient failure after the delay, then acks', async () => {
    const calls: { at: number; ctx: HandlerContext }[] = [];
    const sub = await bus.consume(dueQueue, {
      'sync.due': async (payload, _envelope, ctx) => {
        if (payload.userId !== 'u-retry') return;
        calls.push({ at: Date.now(), ctx });
        if (calls.length === 1) throw Object.assign(new Error('partner 503'), { code: 'transient' });
      },
    });
    try {
      await bus.publish([due('u-retry')]);
      await until(() => calls.length >= 2);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(180);
      expect(calls.map((c) => c.ctx.attempt)).toEqual([0, 1]);
      expect(calls[1]!.ctx.routingKey).toBe('sync.due.fitbit');
      await new Promise((r) => setTimeout(r, 600));
      expect(calls).toHaveLength(2);
      expect(await drainQueue(`${dueQueue.name}.dead`)).toEqual([]);
    } finally {
      await sub.cancel();
    }
  });

  it('acks each message only once its handler is done, also when acks finishing together go out as one', async () => {
    const userIds = ['u-ack-slow', 'u-ack-1', 'u-ack-2', 'u-ack-3', 'u-ack-4'];
    const handled: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const sub = await bus.consume(dueQueue, {
      'sync.due': async (payload) => {
        if (!userIds.includes(payload.userId)) return;
        // The first delivery is still being handled while the later ones finish.
        if (payload.userId === 'u-ack-slow') await gate;
        handled.push(payload.userId);
      },
    });
    const unacked = async () => {
      const res = await management(
        'GET',
        `/queues/${encodeURIComponent(vhost.name)}/${encodeURIComponent(dueQueue.name)}`,
      );
      return ((await res.json()) as { messages_unacknowledged?: number }).messages_unacknowledged ?? -1;
    };
    try {
      await bus.publish(userIds.map((u) => due(u)));
      await until(() => handled.length === 4);
      // The broker's figures lag a few seconds: wait until the four acks show.
      await until(async () => (await unacked()) === 1);
      release();
      await until(() => handled.length === 5);
      await until(async () => (await unacked()) === 0);
      expect((await ch.checkQueue(dueQueue.name)).messageCount).toBe(0);
      expect(handled.slice(0, 4).sort()).toEqual(['u-ack-1', 'u-ack-2', 'u-ack-3', 'u-ack-4']);
    } finally {
      release();
      await sub.cancel();
    }
  });

  it('dead-letters a message that fails its schema, with the reason, and does not redeliver it', async () => {
    let handled = 0;
    const sub = await bus.consume(dueQueue, {
      'sync.due': async () => {
        handled++;
      },
    });
    try {
      const bad = due('u-bad');
      const body = { ...bad.envelope, payload: { ...bad.envelope.payload, fence: 'seven' } };
      const [outcome] = await bus.publishRaw([
        {
          routingKey: bad.routingKey,
          body: JSON.stringify(body),
          messageId: bad.envelope.id,
          type: 'sync.due',
        },
      ]);
      expect(outcome?.ok).toBe(true);
      const dead = await drainUntil(`${dueQueue.name}.dead`, 1);
      expect(dead).toHaveLength(1);
      expect(idOf(dead[0]!)).toBe(bad.envelope.id);
      expect(String(dead[0]!.headers['x-death-reason'])).toMatch(/^invalid_data: sync\.due: payload\.fence/);
      expect(dead[0]!.headers['x-original-routing-key']).toBe('sync.due.fitbit');
      await new Promise((r) => setTimeout(r, 500));
      expect(handled).toBe(0);
      const q = await ch.checkQueue(dueQueue.name);
      expect(q.messageCount).toBe(0);
    } finally {
      await sub.cancel();
    }
  });

  it('dead-letters a non-JSON body and an invalid_data handler error at once', async () => {
    const sub = await bus.consume(dueQueue, {
      'sync.due': async () => {
        throw Object.assign(new Error('weight out of range'), { code: 'invalid_data' });
      },
    });
    try {
      await bus.publishRaw([
        { routingKey: 'sync.due.fitbit', body: 'not json', messageId: 'raw-1', type: 'sync.due' },
      ]);
      await bus.publish([due('u-invalid')]);
      const dead = await drainUntil(`${dueQueue.name}.dead`, 2);
      const reasons = dead.map((d) => String(d.headers['x-death-reason']));
      expect(dead.find((d) => d.messageId === 'raw-1')?.content).toBe('not json');
      expect(reasons.some((r) => r.startsWith('invalid_data: body is not JSON'))).toBe(true);
      expect(reasons).toContain('invalid_data: weight out of range');
    } finally {
      await sub.cancel();
      await ch.purgeQueue(`${dueQueue.name}.dead`);
    }
  });

  it('gives up after the last retry delay and dead-letters with the reason', async () => {
    const attempts: number[] = [];
    const sub = await bus.consume(dueQueue, {
      'sync.due': async (_p, _e, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error('still failing');
      },
    });
    try {
      await bus.publish([due('u-giveup')]);
      const dead = await drainUntil(`${dueQueue.name}.dead`, 1);
      expect(attempts).toEqual([0, 1, 2]);
      expect(dead[0]!.headers['x-death-reason']).toBe('gave up after 2 retries: still failing');
    } finally {
      await sub.cancel();
    }
  });

  it('continues the producer trace in the consumer span', async () => {
    telemetry.memory!.reset();
    let seenTraceId: string | undefined;
    const sub = await bus.consume(dueQueue, {
      'sync.due': async () => {
        seenTraceId = trace.getActiveSpan()?.spanContext().traceId;
      },
    });
    try {
      const tracer = trace.getTracer('test');
      const root = tracer.startSpan('http request');
      await context.with(trace.setSpan(context.active(), root), () => bus.publish([due('u-trace')]));
      root.end();
      await until(() => seenTraceId !== undefined);
      await until(() => telemetry.memory!.getFinishedSpans().some((s) => s.name.endsWith(' process')));
      const spans = telemetry.memory!.getFinishedSpans();
      const producer = spans.find((s) => s.name === 'sync.due.fitbit publish')!;
      const consumer = spans.find((s) => s.name === `${dueQueue.name} process`)!;
      expect(seenTraceId).toBe(root.spanContext().traceId);
      expect(producer.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(consumer.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    } finally {
      await sub.cancel();
    }
  });
});

describe('close', () => {
  it('waits for the handlers in flight; their messages are acked, not redelivered', async () => {
    const closing = await createBus({ url: vhost.url, topology, logger, serviceName: 'bus-test-close' });
    let started = 0;
    let finished = 0;
    await closing.consume(dueQueue, {
      'sync.due': async () => {
        started++;
        await new Promise((r) => setTimeout(r, 300));
        finished++;
      },
    });
    await bus.publish([due('u-close-1'), due('u-close-2')]);
    await until(() => started === 2);
    await closing.close();
    expect(finished).toBe(2);
    expect(closing.connected).toBe(false);
    // Unacked messages would be back in the queue once the connection closed.
    expect((await ch.checkQueue(dueQueue.name)).messageCount).toBe(0);
    await expect(closing.publish([due('u-after-close')])).rejects.toThrow('the bus is closed');
  });
});

describe('broker away', () => {
  it('makes a publish wait, then fail with a clear error; it works again when the broker returns', async () => {
    const away = await createBus({
      url: vhost.url,
      topology,
      logger,
      serviceName: 'bus-test-away',
      publishTimeoutMs: 800,
      reconnect: { initialMs: 50, maxMs: 200 },
    });
    const user = 'guest';
    try {
      await management('DELETE', `/permissions/${encodeURIComponent(vhost.name)}/${user}`);
      // The management API lists a new connection only after a few seconds: close until it is gone.
      await until(async () => {
        await vhost.closeConnections();
        return !away.connected;
      }, 20_000);
      const started = Date.now();
      const error = await away.publish([due('u-away')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusUnavailableError);
      expect(String((error as Error).message)).toMatch(/no broker connection within 800 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    } finally {
      await management('PUT', `/permissions/${encodeURIComponent(vhost.name)}/${user}`, {
        configure: '.*',
        write: '.*',
        read: '.*',
      });
    }
    await away.waitUntilConnected(10_000);
    await away.publish([due('u-back')]);
    await away.close();
    // the shared bus and the raw channel were disconnected too; they come back or are reopened
    await bus.waitUntilConnected(10_000);
    raw = await connect(vhost.url);
    ch = await raw.createChannel();
    expect((await drainQueue(dueQueue.name)).map(userOf)).toContain('u-back');
  });
});
