import { topology } from '@healthsync/contracts';
import {
  type Bus,
  type Db,
  type EventHandler,
  type Handlers,
  type Subscription,
  withTransaction,
} from '@healthsync/platform';
import { CONSUMED_TYPES, type ConsumedType } from './domain/projection.js';
import { CONSUMER, type ConsumedEnvelope, type HandleResult, handleEvent } from './handlers/index.js';
import type { SchedulerContext } from './scheduler.js';

/**
 * Consume `scheduler.events` (every event the schedule is projected from): each delivery is
 * handled in its own transaction; the inbox makes redeliveries harmless; failures go back to the
 * bus, which retries or dead-letters them.
 */
export async function startConsumer(options: {
  bus: Bus;
  db: Db;
  ctx: SchedulerContext;
  partners: readonly string[];
  onEvent?: (type: string, result: HandleResult | 'failed') => void;
}): Promise<Subscription> {
  const queue = topology(options.partners).consumers.find((q) => q.name === CONSUMER);
  if (!queue) throw new Error(`the topology has no ${CONSUMER} queue`);
  const handler: EventHandler<ConsumedType> = async (_payload, envelope) => {
    try {
      const result = await withTransaction(options.db, (trx) =>
        handleEvent(trx, envelope as ConsumedEnvelope, options.ctx),
      );
      options.onEvent?.(envelope.type, result);
    } catch (error) {
      options.onEvent?.(envelope.type, 'failed');
      throw error;
    }
  };
  const handlers: Handlers = Object.fromEntries(CONSUMED_TYPES.map((t) => [t, handler]));
  return options.bus.consume(queue, handlers);
}
