import type { ConsumerQueue, Envelope, EventPayload, EventType, Topology } from '@healthsync/contracts';
import { context } from '@opentelemetry/api';
import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  connect,
  type Message,
} from 'amqplib';
import { EnvelopeParseError, parseEnvelope } from '../envelope.js';
import type { Logger } from '../logger.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { BusClosedError, BusUnavailableError, PublishNackedError, UnroutableError } from './errors.js';
import { describeError, failureOutcome, type Outcome } from './outcome.js';
import { assertTopology, eventTypesBoundTo } from './topology.js';
import { endSpan, startConsumerSpan, startProducerSpan } from './trace.js';

/** Headers the bus sets on retried and dead-lettered copies. */
export const RETRY_ATTEMPT_HEADER = 'x-retry-attempt';
export const ORIGINAL_ROUTING_KEY_HEADER = 'x-original-routing-key';
export const DEATH_REASON_HEADER = 'x-death-reason';
export const LAST_ERROR_HEADER = 'x-last-error';

/** An event to publish: `OutgoingEvent` from `createEvent` fits, optionally with headers. */
export interface PublishMessage {
  readonly routingKey: string;
  readonly envelope: Envelope;
  readonly headers?: Readonly<Record<string, unknown>>;
}

/** A message whose body is already serialized (the outbox relay sends the stored JSON as is). */
export interface RawMessage {
  /** Defaults to the topology's topic exchange; `''` is the default exchange. */
  readonly exchange?: string;
  readonly routingKey: string;
  readonly body: Buffer | string;
  readonly messageId: string;
  readonly type: string;
  readonly headers?: Readonly<Record<string, unknown>>;
}

export type PublishOutcome = { readonly ok: true } | { readonly ok: false; readonly error: Error };

export interface HandlerContext {
  readonly queue: string;
  /** The routing key the event was first published with (also on retried copies). */
  readonly routingKey: string;
  /** 0 on the first delivery, n on the n-th delayed retry. */
  readonly attempt: number;
  /** The broker redelivered this copy (a consumer died or its channel closed before the ack). */
  readonly redelivered: boolean;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
}

export type EventHandler<T extends EventType> = (
  payload: EventPayload<T>,
  envelope: Envelope<T, EventPayload<T>>,
  ctx: HandlerContext,
) => Promise<void>;

/**
 * One handler per event type. Queue bindings are runtime data (they depend on the installed
 * partners), so exhaustiveness is checked when `consume` is called: every event type whose
 * routing pattern overlaps a binding of the queue must have a handler, or `consume` throws
 * before anything is consumed.
 */
export type Handlers = { readonly [T in EventType]?: EventHandler<T> };

export interface ConsumeOptions {
  /** Overrides the queue's prefetch (it never exceeds the queue's declared prefetch). */
  readonly prefetch?: number;
}

export interface Subscription {
  readonly queue: string;
  /** Stop consuming and wait for the handlers in flight. */
  cancel(): Promise<void>;
}

export interface Bus {
  /**
   * Publish with confirms and `mandatory`. Resolves once the broker confirmed every message.
   * Rejects with `UnroutableError` when a message reached no queue, `PublishNackedError` on a
   * nack, `BusUnavailableError` when no connection came within the publish timeout or the
   * connection dropped before the confirm, `BusClosedError` after `close()`.
   */
  publish(messages: readonly PublishMessage[]): Promise<void>;
  /** The same, with one outcome per message instead of one error for the batch. */
  publishRaw(messages: readonly RawMessage[]): Promise<PublishOutcome[]>;
  consume(queue: ConsumerQueue, handlers: Handlers, options?: ConsumeOptions): Promise<Subscription>;
  /** True while a connection with the topology asserted and every consumer started is open. */
  readonly connected: boolean;
  /** Resolves when connected; rejects with `BusUnavailableError` after `timeoutMs`. */
  waitUntilConnected(timeoutMs?: number): Promise<void>;
  /** Cancel consumers, wait for handlers and confirms in flight, close channels and connection. */
  close(): Promise<void>;
}

export interface CreateBusOptions {
  readonly url: string;
  readonly topology: Topology;
  readonly logger: Logger;
  /** Names the connection (visible in the broker's management UI) and the dead letters. */
  readonly serviceName: string;
  /** Caps the prefetch of every consumer of this bus (default: each queue's own prefetch). */
  readonly prefetch?: number;
  /** How long a publish waits for a connection before failing (default 15 s). */
  readonly publishTimeoutMs?: number;
  /** How long `createBus` waits for the first connection (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Reconnect backoff (default 200 ms doubling to 30 s, with jitter). */
  readonly reconnect?: BackoffOptions;
}

interface Registration {
  readonly queue: ConsumerQueue;
  readonly handlers: Handlers;
  readonly prefetch: number;
  channel: Channel | undefined;
  consumerTag: string | undefined;
  cancelled: boolean;
  readonly inflight: Set<Promise<void>>;
}

/**
 * Acks of one consumer channel waiting for the end of the current turn of the event loop, and
 * the deliveries of the channel not settled yet. Acks that finish together go out as one
 * `multiple` ack when no unsettled delivery lies below them, else one by one.
 */
interface AckState {
  /** Delivery tags handed to handlers and not acked or nacked yet. */
  readonly unsettled: Set<number>;
  /** Settled by an ack, not yet sent. */
  pending: Message[];
  scheduled: boolean;
}

interface ReturnSlot {
  returned: string | undefined;
}

interface Waiter {
  resolve(channel: ConfirmChannel): void;
  reject(error: Error): void;
}

type AnyHandler = (payload: unknown, envelope: Envelope, ctx: HandlerContext) => Promise<void>;

/** Headers the broker adds on dead-lettering and redelivery; copies we republish start clean. */
const BROKER_HEADERS = [
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
];

function toBuffer(body: Buffer | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function headerString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function headerInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

class AmqpBus implements Bus {
  private conn: ChannelModel | undefined;
  private pub: ConfirmChannel | undefined;
  private generation = 0;
  private reconnecting = false;
  private closing = false;
  private closed: Promise<void> | undefined;
  private lastError: Error | undefined;
  private wakeSleep: (() => void) | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly registrations = new Set<Registration>();
  private readonly returns = new Map<string, ReturnSlot[]>();
  private readonly publishing = new Set<Promise<unknown>>();
  private readonly acks = new WeakMap<Channel, AckState>();
  private readonly log: Logger;

  constructor(private readonly options: CreateBusOptions) {
    this.log = options.logger.child({ component: 'bus' });
  }

  get connected(): boolean {
    return this.pub !== undefined;
  }

  start(): void {
    this.reconnectLoop();
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  private reconnectLoop(): void {
    if (this.closing || this.reconnecting) return;
    this.reconnecting = true;
    void (async () => {
      let attempt = 0;
      while (!this.closing) {
        try {
          await this.open();
          if (attempt > 0) this.log.info({ attempts: attempt + 1 }, 'bus reconnected');
          break;
        } catch (error) {
          this.lastError = error instanceof Error ? error : new Error(String(error));
          if (this.closing) break;
          const delay = backoffDelay(attempt++, this.options.reconnect);
          this.log.warn({ err: describeError(error), retryInMs: delay, attempt }, 'bus connection failed');
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            this.wakeSleep = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeSleep = undefined;
        }
      }
      this.reconnecting = false;
    })();
  }

  private async open(): Promise<void> {
    const gen = ++this.generation;
    const conn = await connect(this.options.url, {
      clientProperties: { connection_name: this.options.serviceName },
      timeout: 10_000,
    });
    conn.on('error', (error: Error) => {
      this.log.warn({ err: describeError(error) }, 'bus connection error');
    });
    conn.on('close', () => this.lost(gen, 'connection closed'));
    conn.on('blocked', (reason: string) => this.log.warn({ reason }, 'broker blocked the connection'));
    conn.on('unblocked', () => this.log.info('broker unblocked the connection'));
    try {
      const setup = await conn.createChannel();
      setup.on('error', () => {});
      await assertTopology(setup, this.options.topology);
      await setup.close();

      const pub = await conn.createConfirmChannel();
      pub.on('error', (error: Error) =>
        this.log.warn({ err: describeError(error) }, 'publish channel error'),
      );
      pub.on('return', (message: Message) => this.onReturn(message));
      pub.on('close', () => this.restart(gen, 'publish channel closed'));
      this.conn = conn;
      for (const reg of this.registrations) await this.startConsumer(reg, conn, gen);
      if (this.closing) throw new BusClosedError();
      if (gen !== this.generation) throw new Error('the connection was lost while it was being set up');
      this.pub = pub;
      this.lastError = undefined;
      this.log.info({ consumers: this.registrations.size }, 'bus connected');
      for (const waiter of this.waiters) waiter.resolve(pub);
      this.waiters.clear();
    } catch (error) {
      if (this.conn === conn) this.conn = undefined;
      await conn.close().catch(() => {});
      throw error;
    }
  }

  /** The connection of generation `gen` is gone: forget it and reconnect. */
  private lost(gen: number, why: string): void {
    if (gen !== this.generation) return;
    const wasOpen = this.pub !== undefined;
    this.generation++;
    this.pub = undefined;
    this.conn = undefined;
    for (const reg of this.registrations) {
      reg.channel = undefined;
      reg.consumerTag = undefined;
    }
    if (this.closing) return;
    if (wasOpen) this.log.warn({ why }, 'bus disconnected, reconnecting');
    this.reconnectLoop();
  }

  /** A channel failed on a live connection: start over with a fresh connection. */
  private restart(gen: number, why: string): void {
    if (gen !== this.generation || this.closing) return;
    const conn = this.conn;
    this.lost(gen, why);
    void conn?.close().catch(() => {});
  }

  waitUntilConnected(timeoutMs = this.options.publishTimeoutMs ?? 15_000): Promise<void> {
    return this.channel(timeoutMs).then(() => undefined);
  }

  private channel(timeoutMs: number): Promise<ConfirmChannel> {
    if (this.closing) return Promise.reject(new BusClosedError());
    if (this.pub) return Promise.resolve(this.pub);
    return new Promise<ConfirmChannel>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const last = this.lastError ? ` (last error: ${describeError(this.lastError)})` : '';
        reject(new BusUnavailableError(`no broker connection within ${timeoutMs} ms${last}`));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (ch) => {
          clearTimeout(timer);
          resolve(ch);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  // ---- publishing -----------------------------------------------------------------------------

  private onReturn(message: Message): void {
    const id = message.properties.messageId;
    const slots = typeof id === 'string' ? this.returns.get(id) : undefined;
    const slot = slots?.find((s) => s.returned === undefined);
    const fields = message.fields as { replyCode?: number; replyText?: string };
    if (slot) slot.returned = `${fields.replyCode ?? 312} ${fields.replyText ?? 'NO_ROUTE'}`;
  }

  private track(id: string): ReturnSlot {
    const slot: ReturnSlot = { returned: undefined };
    const slots = this.returns.get(id);
    if (slots) slots.push(slot);
    else this.returns.set(id, [slot]);
    return slot;
  }

  private untrack(id: string, slot: ReturnSlot): void {
    const slots = this.returns.get(id);
    if (!slots) return;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    if (slots.length === 0) this.returns.delete(id);
  }

  async publishRaw(messages: readonly RawMessage[]): Promise<PublishOutcome[]> {
    if (messages.length === 0) return [];
    const ch = await this.channel(this.options.publishTimeoutMs ?? 15_000);
    const all = this.send(ch, messages);
    this.publishing.add(all);
    try {
      return await all;
    } finally {
      this.publishing.delete(all);
    }
  }

  private async send(ch: ConfirmChannel, messages: readonly RawMessage[]): Promise<PublishOutcome[]> {
    const outcomes: Promise<PublishOutcome>[] = [];
    const topicExchange = this.options.topology.exchange.name;
    for (const m of messages) {
      const exchange = m.exchange ?? topicExchange;
      const { span, headers } = startProducerSpan(m.routingKey, m.messageId, exchange, m.headers);
      const slot = this.track(m.messageId);
      let flushed = true;
      outcomes.push(
        new Promise<PublishOutcome>((resolve) => {
          const done = (error?: Error) => {
            this.untrack(m.messageId, slot);
            endSpan(span, error);
            resolve(error ? { ok: false, error } : { ok: true });
          };
          try {
            flushed = ch.publish(
              exchange,
              m.routingKey,
              toBuffer(m.body),
              {
                mandatory: true,
                persistent: true,
                contentType: 'application/json',
                messageId: m.messageId,
                type: m.type,
                appId: this.options.serviceName,
                headers,
              },
              (err: unknown) => {
                if (err) {
                  const text = err instanceof Error ? err.message : String(err);
                  done(
                    /nack/i.test(text)
                      ? new PublishNackedError(m.messageId)
                      : new BusUnavailableError(`no confirm for ${m.messageId}: ${text}`),
                  );
                } else if (slot.returned !== undefined) {
                  done(
                    new UnroutableError(
                      [{ messageId: m.messageId, routingKey: m.routingKey }],
                      slot.returned,
                    ),
                  );
                } else {
                  done();
                }
              },
            );
          } catch (error) {
            done(new BusUnavailableError(`could not publish ${m.messageId}: ${describeError(error)}`));
          }
        }),
      );
      if (!flushed) {
        // The socket buffer is full: wait for it to drain (or the channel to go) before writing more.
        await new Promise<void>((resolve) => {
          const go = () => {
            ch.off('drain', go);
            ch.off('close', go);
            resolve();
          };
          ch.on('drain', go);
          ch.on('close', go);
        });
      }
    }
    return Promise.all(outcomes);
  }

  async publish(messages: readonly PublishMessage[]): Promise<void> {
    const outcomes = await this.publishRaw(
      messages.map((m) => ({
        routingKey: m.routingKey,
        body: JSON.stringify(m.envelope),
        messageId: m.envelope.id,
        type: m.envelope.type,
        ...(m.headers ? { headers: m.headers } : {}),
      })),
    );
    const errors: Error[] = [];
    for (const o of outcomes) if (!o.ok) errors.push(o.error);
    if (errors.length === 0) return;
    const other = errors.find((e) => !(e instanceof UnroutableError));
    if (other) throw other;
    const unroutable = errors as UnroutableError[];
    throw new UnroutableError(
      unroutable.flatMap((e) => e.messages),
      unroutable[0]?.message.match(/\(([^)]*)\)/)?.[1],
    );
  }

  // ---- consuming ------------------------------------------------------------------------------

  async consume(
    queue: ConsumerQueue,
    handlers: Handlers,
    options: ConsumeOptions = {},
  ): Promise<Subscription> {
    if (this.closing) throw new BusClosedError();
    if (!this.options.topology.consumers.some((q) => q.name === queue.name)) {
      throw new Error(`queue ${queue.name} is not part of the bus topology`);
    }
    const missing = eventTypesBoundTo(queue).filter((type) => handlers[type] === undefined);
    if (missing.length > 0) {
      throw new Error(`consume(${queue.name}): no handler for bound event type(s) ${missing.join(', ')}`);
    }
    const prefetch = Math.max(
      1,
      Math.min(queue.prefetch, options.prefetch ?? Infinity, this.options.prefetch ?? Infinity),
    );
    const reg: Registration = {
      queue,
      handlers,
      prefetch,
      channel: undefined,
      consumerTag: undefined,
      cancelled: false,
      inflight: new Set(),
    };
    this.registrations.add(reg);
    const conn = this.conn;
    if (conn && this.pub) {
      const gen = this.generation;
      try {
        await this.startConsumer(reg, conn, gen);
      } catch (error) {
        // A connection that dropped meanwhile starts the consumer again when it comes back.
        if (gen === this.generation && this.pub) {
          this.registrations.delete(reg);
          throw error;
        }
      }
    }
    return { queue: queue.name, cancel: () => this.cancel(reg) };
  }

  private async startConsumer(reg: Registration, conn: ChannelModel, gen: number): Promise<void> {
    const ch = await conn.createChannel();
    reg.channel = ch;
    ch.on('error', (error: Error) =>
      this.log.warn({ queue: reg.queue.name, err: describeError(error) }, 'consumer channel error'),
    );
    ch.on('close', () => {
      if (reg.channel === ch && !reg.cancelled)
        this.restart(gen, `consumer channel of ${reg.queue.name} closed`);
    });
    await ch.prefetch(reg.prefetch);
    const { consumerTag } = await ch.consume(
      reg.queue.name,
      (msg) => {
        if (msg === null) {
          // The broker cancelled the consumer (e.g. the queue was deleted): re-assert and resubscribe.
          if (!reg.cancelled) this.restart(gen, `broker cancelled the consumer of ${reg.queue.name}`);
          return;
        }
        this.ackState(ch).unsettled.add(msg.fields.deliveryTag);
        const p: Promise<void> = this.handle(reg, ch, msg)
          .catch((error: unknown) => {
            this.log.error({ queue: reg.queue.name, err: describeError(error) }, 'message handling failed');
          })
          .finally(() => reg.inflight.delete(p));
        reg.inflight.add(p);
      },
      { noAck: false },
    );
    reg.consumerTag = consumerTag;
  }

  private async handle(reg: Registration, ch: Channel, msg: ConsumeMessage): Promise<void> {
    const queue = reg.queue.name;
    const headers: Record<string, unknown> = msg.properties.headers ?? {};
    const attempt = headerInt(headers[RETRY_ATTEMPT_HEADER]) ?? 0;
    const routingKey = headerString(headers[ORIGINAL_ROUTING_KEY_HEADER]) ?? msg.fields.routingKey;
    const messageId = typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined;
    const { span, context: spanContext } = startConsumerSpan(queue, routingKey, messageId, headers);
    let outcome: Outcome;
    let failure: unknown;
    try {
      outcome = await context.with(spanContext, async (): Promise<Outcome> => {
        let body: unknown;
        try {
          body = JSON.parse(msg.content.toString('utf8'));
        } catch (error) {
          throw new EnvelopeParseError(`body is not JSON: ${describeError(error)}`);
        }
        const envelope = parseEnvelope(body);
        const handler = reg.handlers[envelope.type] as AnyHandler | undefined;
        if (!handler) return { kind: 'dead', reason: `no handler for ${envelope.type} on ${queue}` };
        const logger = this.options.logger.child({
          queue,
          eventId: envelope.id,
          type: envelope.type,
          attempt,
        });
        await handler(envelope.payload, envelope, {
          queue,
          routingKey,
          attempt,
          redelivered: msg.fields.redelivered,
          headers,
          logger,
        });
        return { kind: 'ack' };
      });
    } catch (error) {
      failure = error;
      outcome = failureOutcome(error, reg.queue, attempt);
    }
    try {
      await this.settle(reg, ch, msg, outcome, routingKey);
    } finally {
      endSpan(span, failure, outcome.kind);
    }
  }

  /** Apply an outcome: ack, or publish the retry / dead-letter copy (confirmed), then ack. */
  private async settle(
    reg: Registration,
    ch: Channel,
    msg: ConsumeMessage,
    outcome: Outcome,
    routingKey: string,
  ): Promise<void> {
    const queue = reg.queue.name;
    if (outcome.kind === 'ack') {
      this.ack(ch, msg);
      return;
    }
    if (reg.channel !== ch) {
      // The channel is gone: the broker redelivers this message; nothing to settle here.
      return;
    }
    const headers: Record<string, unknown> = { ...msg.properties.headers };
    for (const h of BROKER_HEADERS) delete headers[h];
    headers[ORIGINAL_ROUTING_KEY_HEADER] = routingKey;
    let copy: RawMessage;
    if (outcome.kind === 'retry') {
      headers[RETRY_ATTEMPT_HEADER] = outcome.attempt;
      headers[LAST_ERROR_HEADER] = outcome.reason;
      copy = {
        exchange: '',
        routingKey: outcome.retryQueue,
        body: msg.content,
        messageId: '',
        type: '',
        headers,
      };
      this.log.warn(
        {
          queue,
          messageId: msg.properties.messageId,
          delayMs: outcome.delayMs,
          attempt: outcome.attempt,
          reason: outcome.reason,
        },
        'handler failed, retry scheduled',
      );
    } else {
      headers[DEATH_REASON_HEADER] = outcome.reason;
      headers['x-dead-lettered-by'] = this.options.serviceName;
      copy = {
        exchange: this.options.topology.deadLetterExchange.name,
        routingKey: queue,
        body: msg.content,
        messageId: '',
        type: '',
        headers,
      };
      this.log.error(
        { queue, messageId: msg.properties.messageId, reason: outcome.reason },
        'message dead-lettered',
      );
    }
    const messageId =
      typeof msg.properties.messageId === 'string' && msg.properties.messageId
        ? msg.properties.messageId
        : `delivery-${msg.fields.deliveryTag}`;
    const type = typeof msg.properties.type === 'string' ? msg.properties.type : '';
    let result: PublishOutcome | undefined;
    try {
      [result] = await this.publishRaw([{ ...copy, messageId, type }]);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
    if (result?.ok) {
      this.ack(ch, msg);
      return;
    }
    // Could not park the copy: give the message back; the queue's delivery limit ends a loop.
    this.log.error(
      { queue, err: describeError(result?.error) },
      'could not publish the retry/dead-letter copy; requeueing',
    );
    this.ackState(ch).unsettled.delete(msg.fields.deliveryTag);
    try {
      ch.nack(msg, false, true);
    } catch {
      // channel gone: the broker redelivers
    }
  }

  private ackState(ch: Channel): AckState {
    let state = this.acks.get(ch);
    if (!state) {
      state = { unsettled: new Set(), pending: [], scheduled: false };
      this.acks.set(ch, state);
    }
    return state;
  }

  /** Ack once the current turn of the event loop ends, with the other acks of the channel. */
  private ack(ch: Channel, msg: Message): void {
    const state = this.ackState(ch);
    state.pending.push(msg);
    if (state.scheduled) return;
    state.scheduled = true;
    setImmediate(() => this.flushAcks(ch));
  }

  /**
   * Send the channel's waiting acks: those below every unsettled delivery as one `multiple` ack
   * (it acks exactly them: everything below is settled), the others one by one.
   */
  private flushAcks(ch: Channel): void {
    const state = this.acks.get(ch);
    if (!state) return;
    state.scheduled = false;
    const pending = state.pending;
    if (pending.length === 0) return;
    state.pending = [];
    for (const m of pending) state.unsettled.delete(m.fields.deliveryTag);
    let floor = Number.POSITIVE_INFINITY;
    for (const tag of state.unsettled) if (tag < floor) floor = tag;
    let upTo: Message | undefined;
    const single: Message[] = [];
    for (const m of pending) {
      if (m.fields.deliveryTag > floor) single.push(m);
      else if (!upTo || m.fields.deliveryTag > upTo.fields.deliveryTag) upTo = m;
    }
    try {
      // Only one ack below the floor: the plain ack says the same.
      if (upTo) ch.ack(upTo, pending.length - single.length > 1);
      for (const m of single) ch.ack(m);
    } catch {
      // The channel closed after the handlers ran: the broker redelivers; the inbox absorbs it.
    }
  }

  private async cancel(reg: Registration): Promise<void> {
    if (reg.cancelled) return;
    reg.cancelled = true;
    this.registrations.delete(reg);
    const ch = reg.channel;
    if (ch && reg.consumerTag) await ch.cancel(reg.consumerTag).catch(() => {});
    await Promise.allSettled([...reg.inflight]);
    if (ch) this.flushAcks(ch);
    if (ch) await ch.close().catch(() => {});
    reg.channel = undefined;
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.wakeSleep?.();
    for (const waiter of this.waiters) waiter.reject(new BusClosedError());
    this.waiters.clear();
    const regs = [...this.registrations];
    // Stop deliveries first, then let handlers finish (they may still publish retries), then
    // wait for confirms in flight, then close.
    await Promise.allSettled(
      regs.map(async (reg) => {
        reg.cancelled = true;
        if (reg.channel && reg.consumerTag) await reg.channel.cancel(reg.consumerTag).catch(() => {});
      }),
    );
    await Promise.allSettled(regs.flatMap((reg) => [...reg.inflight]));
    await Promise.allSettled([...this.publishing]);
    for (const reg of regs) {
      if (reg.channel) this.flushAcks(reg.channel);
      await reg.channel?.close().catch(() => {});
    }
    this.registrations.clear();
    const conn = this.conn;
    this.generation++;
    this.pub = undefined;
    this.conn = undefined;
    await conn?.close().catch(() => {});
    this.log.info('bus closed');
  }
}

/**
 * Connect to RabbitMQ, assert the whole topology and return the bus once connected (rejects with
 * `BusUnavailableError` if no connection came within `connectTimeoutMs`). The connection is kept
 * up for the life of the bus: when it drops, the bus reconnects with capped exponential backoff
 * and jitter, asserts the topology again and restarts every consumer.
 */
export async function createBus(options: CreateBusOptions): Promise<Bus> {
  const bus = new AmqpBus(options);
  bus.start();
  try {
    await bus.waitUntilConnected(options.connectTimeoutMs ?? 30_000);
  } catch (error) {
    await bus.close();
    throw error;
  }
  return bus;
}
