import {
  catalog,
  DEAD_LETTER_EXCHANGE,
  type Envelope,
  type EventPayload,
  type EventType,
  EXCHANGE,
  type Topology,
} from '@healthsync/contracts';
import { type Bus, createBus, type EventHandler, type Handlers } from '../bus/bus.js';
import { createEvent } from '../envelope.js';
import { createLogger } from '../logger.js';

/** An event as the observer saw it on the bus. */
export interface Observed<T extends EventType = EventType> {
  readonly type: T;
  readonly routingKey: string;
  readonly envelope: Envelope<T, EventPayload<T>>;
  readonly payload: EventPayload<T>;
  readonly receivedAt: number;
}

/**
 * A queue of its own on the platform's exchange, so a test sees what the services say to each
 * other (every `sync.due`, `sync.completed` ...) without taking part, and can publish events as
 * another service would.
 */
export interface BusObserver {
  readonly events: readonly Observed[];
  of<T extends EventType>(type: T, filter?: (payload: EventPayload<T>) => boolean): Observed<T>[];
  /** Publishes one event (confirmed by the broker) as `source`. */
  publish<T extends EventType>(type: T, payload: EventPayload<T>, source?: string): Promise<void>;
  close(): Promise<void>;
}

export interface BusObserverOptions {
  /** Routing-key patterns to observe; every event of the catalog by default. */
  readonly bindings?: readonly string[];
  /** The observer's queue name (one per vhost). */
  readonly queue?: string;
}

const EVERY_EVENT = Object.values(catalog).map((entry) => entry.routingPattern);

export async function startBusObserver(
  amqpUrl: string,
  options: BusObserverOptions = {},
): Promise<BusObserver> {
  const queue = {
    name: options.queue ?? 'test.observer',
    // A label only: the observer takes part in no service's work.
    service: 'scheduler' as const,
    bindings: [...(options.bindings ?? EVERY_EVENT)],
    deliveryLimit: 5,
    retryDelaysMs: [],
    prefetch: 200,
  };
  const topology: Topology = {
    exchange: { name: EXCHANGE, type: 'topic' },
    deadLetterExchange: { name: DEAD_LETTER_EXCHANGE, type: 'direct' },
    consumers: [queue],
  };
  const bus: Bus = await createBus({
    url: amqpUrl,
    topology,
    logger: createLogger('observer', 'silent'),
    serviceName: 'observer',
  });
  const events: Observed[] = [];
  const record =
    <T extends EventType>(type: T): EventHandler<T> =>
    async (payload, envelope, ctx) => {
      events.push({ type, routingKey: ctx.routingKey, envelope, payload, receivedAt: Date.now() });
    };
  const handlers = Object.fromEntries(
    (Object.keys(catalog) as EventType[]).map((type) => [type, record(type)]),
  ) as Handlers;
  await bus.consume(queue, handlers);
  return {
    events,
    of<T extends EventType>(type: T, filter?: (payload: EventPayload<T>) => boolean): Observed<T>[] {
      return events.filter(
        (e): e is Observed<T> => e.type === type && (!filter || filter(e.payload as EventPayload<T>)),
      );
    },
    publish: (type, payload, source = 'test') => bus.publish([createEvent(type, payload, { source })]),
    close: () => bus.close(),
  };
}
