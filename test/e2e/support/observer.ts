import {
  DEAD_LETTER_EXCHANGE,
  type Envelope,
  type EventPayload,
  type EventType,
  EXCHANGE,
  type Topology,
} from '@healthsync/contracts';
import { type Bus, createBus, createLogger, type EventHandler, type Handlers } from '@healthsync/platform';

/** An event as the observer saw it on the bus. */
export interface Observed<T extends EventType = EventType> {
  readonly type: T;
  readonly routingKey: string;
  readonly envelope: Envelope<T, EventPayload<T>>;
  readonly payload: EventPayload<T>;
  readonly receivedAt: number;
}

/**
 * A queue of its own on the platform's exchange, bound to every event, so a test can see what
 * the services say to each other (every `sync.due`, `sync.completed`, ...) without taking part.
 */
export interface BusObserver {
  readonly events: readonly Observed[];
  of<T extends EventType>(type: T, filter?: (payload: EventPayload<T>) => boolean): Observed<T>[];
  close(): Promise<void>;
}

const BINDINGS = [
  'connection.connected.*',
  'connection.disconnected.*',
  'connection.preferences-changed.*',
  'connection.needs-reauth.*',
  'shapeup.data-changed.*',
  'sync.due.*',
  'sync.push-pending.*',
  'sync.completed.*',
  'partner.notified.*',
  'sync.requested',
];

export async function startObserver(amqpUrl: string): Promise<BusObserver> {
  const queue = {
    name: 'e2e.observer',
    service: 'scheduler',
    bindings: BINDINGS,
    deliveryLimit: 5,
    retryDelaysMs: [],
    prefetch: 200,
  } as const;
  const topology: Topology = {
    exchange: { name: EXCHANGE, type: 'topic' },
    deadLetterExchange: { name: DEAD_LETTER_EXCHANGE, type: 'direct' },
    consumers: [queue],
  };
  const bus: Bus = await createBus({
    url: amqpUrl,
    topology,
    logger: createLogger('e2e-observer', 'silent'),
    serviceName: 'e2e-observer',
  });
  const events: Observed[] = [];
  const record =
    <T extends EventType>(type: T): EventHandler<T> =>
    async (payload, envelope, ctx) => {
      events.push({ type, routingKey: ctx.routingKey, envelope, payload, receivedAt: Date.now() });
    };
  const handlers: Handlers = {
    'connection.connected': record('connection.connected'),
    'connection.disconnected': record('connection.disconnected'),
    'connection.preferences-changed': record('connection.preferences-changed'),
    'connection.needs-reauth': record('connection.needs-reauth'),
    'shapeup.data-changed': record('shapeup.data-changed'),
    'sync.due': record('sync.due'),
    'sync.push-pending': record('sync.push-pending'),
    'sync.completed': record('sync.completed'),
    'partner.notified': record('partner.notified'),
    'sync.requested': record('sync.requested'),
  };
  await bus.consume(queue, handlers);
  return {
    events,
    of<T extends EventType>(type: T, filter?: (payload: EventPayload<T>) => boolean): Observed<T>[] {
      return events.filter(
        (e): e is Observed<T> => e.type === type && (!filter || filter(e.payload as EventPayload<T>)),
      );
    },
    close: () => bus.close(),
  };
}
