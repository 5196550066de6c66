/**
 * Broker topology as data (CONVENTIONS.md "Messages"). The platform's bus asserts exactly this;
 * a unit test checks that every routing key is bound and every queue has a dead-letter route.
 *
 * - one durable topic exchange for all events;
 * - one quorum queue per consumer, with an explicit delivery limit and a dead-letter route;
 * - per consumer queue, delayed-retry queues (message TTL, then dead-lettered back to the consumer
 *   queue through the default exchange, so a retry reaches only the consumer that asked for it);
 * - a direct dead-letter exchange and one `<queue>.dead` queue per consumer queue.
 */
export const EXCHANGE = 'healthsync.events';
export const DEAD_LETTER_EXCHANGE = 'healthsync.dead';

export const DEFAULT_DELIVERY_LIMIT = 10;
export const DEFAULT_RETRY_DELAYS_MS = [1_000, 10_000, 60_000] as const;
/**
 * The most `sync.due` a sync-worker process holds unacknowledged (its concurrent syncs): the worker's
 * SYNC_CONCURRENCY may not exceed it.
 */
export const SYNC_DUE_PREFETCH = 64;

export interface ConsumerQueue {
  /** The queue name; also the routing key of its dead letters. */
  readonly name: string;
  /** Which service consumes it. */
  readonly service: 'auth' | 'scheduler' | 'sync-worker' | 'change-detector';
  readonly partner?: string;
  /** Topic patterns bound on {@link EXCHANGE}. */
  readonly bindings: readonly string[];
  readonly deliveryLimit: number;
  readonly retryDelaysMs: readonly number[];
  readonly prefetch: number;
}

export interface QueueDeclaration {
  readonly name: string;
  readonly arguments: Readonly<Record<string, string | number>>;
}

export interface Topology {
  readonly exchange: { readonly name: string; readonly type: 'topic' };
  readonly deadLetterExchange: { readonly name: string; readonly type: 'direct' };
  readonly consumers: readonly ConsumerQueue[];
}

export function retryQueueName(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}ms`;
}

export function deadQueueName(queue: string): string {
  return `${queue}.dead`;
}

export function syncWorkerQueues(partner: string): ConsumerQueue[] {
  return [
    {
      name: `sync-worker.${partner}.due`,
      service: 'sync-worker',
      partner,
      bindings: [`sync.due.${partner}`],
      deliveryLimit: DEFAULT_DELIVERY_LIMIT,
      retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
      prefetch: SYNC_DUE_PREFETCH,
    },
    {
      name: `sync-worker.${partner}.events`,
      service: 'sync-worker',
      partner,
      bindings: [
        'shapeup.data-changed.*',
        `connection.connected.${partner}`,
        `connection.disconnected.${partner}`,
        `connection.preferences-changed.${partner}`,
        `connection.needs-reauth.${partner}`,
      ],
      deliveryLimit: DEFAULT_DELIVERY_LIMIT,
      retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
      prefetch: 32,
    },
  ];
}

/** The whole topology for a set of installed partners. Asserting it is idempotent. */
export function topology(partners: readonly string[]): Topology {
  const consumers: ConsumerQueue[] = [
    {
      name: 'auth.needs-reauth',
      service: 'auth',
      bindings: ['connection.needs-reauth.*'],
      deliveryLimit: DEFAULT_DELIVERY_LIMIT,
      retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
      prefetch: 16,
    },
    {
      name: 'scheduler.events',
      service: 'scheduler',
      bindings: [
        'connection.connected.*',
        'connection.disconnected.*',
        'connection.preferences-changed.*',
        'connection.needs-reauth.*',
        'sync.completed.*',
        'sync.push-pending.*',
        'partner.notified.*',
        'sync.requested',
      ],
      deliveryLimit: DEFAULT_DELIVERY_LIMIT,
      retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
      prefetch: 64,
    },
    ...partners.flatMap(syncWorkerQueues),
  ];
  return {
    exchange: { name: EXCHANGE, type: 'topic' },
    deadLetterExchange: { name: DEAD_LETTER_EXCHANGE, type: 'direct' },
    consumers,
  };
}

/** Arguments of a consumer queue: quorum, delivery limit, at-least-once dead-lettering. */
export function consumerQueueDeclaration(q: ConsumerQueue): QueueDeclaration {
  return {
    name: q.name,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': q.deliveryLimit,
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      'x-dead-letter-routing-key': q.name,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  };
}

/** A delay queue: messages wait `delayMs`, then dead-letter back to the consumer queue. */
export function retryQueueDeclaration(q: ConsumerQueue, delayMs: number): QueueDeclaration {
  return {
    name: retryQueueName(q.name, delayMs),
    arguments: {
      'x-queue-type': 'classic',
      'x-message-ttl': delayMs,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': q.name,
    },
  };
}

export function deadQueueDeclaration(q: ConsumerQueue): QueueDeclaration {
  return { name: deadQueueName(q.name), arguments: { 'x-queue-type': 'quorum' } };
}

/** AMQP topic matching: `*` is one word, `#` is zero or more words. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') {
      for (let jj = j; jj <= k.length; jj++) if (match(i + 1, jj)) return true;
      return false;
    }
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/** The consumer queues a routing key reaches. */
export function queuesFor(t: Topology, routingKey: string): ConsumerQueue[] {
  return t.consumers.filter((q) => q.bindings.some((b) => topicMatches(b, routingKey)));
}
