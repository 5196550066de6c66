import {
  type ConsumerQueue,
  catalog,
  consumerQueueDeclaration,
  deadQueueDeclaration,
  type EventType,
  retryQueueDeclaration,
  type Topology,
} from '@healthsync/contracts';
import type { Channel } from 'amqplib';

/**
 * Declare the whole topology from contracts: the topic exchange, the dead-letter exchange, and
 * per consumer queue the queue itself (quorum, delivery limit, dead-letter route), its delayed
 * retry queues, its `<queue>.dead` queue bound on the dead-letter exchange with the queue's name,
 * and its bindings. Every declaration is idempotent, so every service asserts everything on every
 * (re)connection; a declaration that differs from what exists fails loudly (PRECONDITION_FAILED).
 */
export async function assertTopology(channel: Channel, topology: Topology): Promise<void> {
  await channel.assertExchange(topology.exchange.name, topology.exchange.type, { durable: true });
  await channel.assertExchange(topology.deadLetterExchange.name, topology.deadLetterExchange.type, {
    durable: true,
  });
  for (const queue of topology.consumers) {
    const dead = deadQueueDeclaration(queue);
    await channel.assertQueue(dead.name, { durable: true, arguments: { ...dead.arguments } });
    await channel.bindQueue(dead.name, topology.deadLetterExchange.name, queue.name);
    const main = consumerQueueDeclaration(queue);
    await channel.assertQueue(main.name, { durable: true, arguments: { ...main.arguments } });
    for (const delay of queue.retryDelaysMs) {
      const retry = retryQueueDeclaration(queue, delay);
      await channel.assertQueue(retry.name, { durable: true, arguments: { ...retry.arguments } });
    }
    for (const pattern of queue.bindings) await channel.bindQueue(main.name, topology.exchange.name, pattern);
  }
}

/** Whether some routing key matches both topic patterns (`*` one word, `#` zero or more). */
export function patternsOverlap(a: string, b: string): boolean {
  const p = a.split('.');
  const q = b.split('.');
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * 1024 + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length && j === q.length) result = true;
    else if (p[i] === '#') result = go(i + 1, j) || (j < q.length && go(i, j + 1));
    else if (q[j] === '#') result = go(i, j + 1) || (i < p.length && go(i + 1, j));
    else if (i === p.length || j === q.length) result = false;
    else result = (p[i] === '*' || q[j] === '*' || p[i] === q[j]) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** The catalog event types whose routing keys can reach `queue` through its bindings. */
export function eventTypesBoundTo(queue: Pick<ConsumerQueue, 'bindings'>): EventType[] {
  return (Object.keys(catalog) as EventType[]).filter((type) =>
    queue.bindings.some((binding) => patternsOverlap(binding, catalog[type].routingPattern)),
  );
}
