import { context, propagation } from '@opentelemetry/api';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/db.js';
import { type OutgoingEvent, streamOf } from '../envelope.js';

/**
 * Write events in the caller's transaction (DESIGN.md §8): the outbox row and its event-log entry
 * commit or roll back with the state change. One round trip for any number of events. The current
 * trace context is captured into the message headers so the trace continues in the consumer.
 */
export async function enqueueEvents(trx: DbOrTx, schema: string, events: readonly OutgoingEvent[]): Promise<void> {
  if (events.length === 0) return;
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  const rows = events.map((e) => ({
    id: e.envelope.id,
    type: e.envelope.type,
    routing_key: e.routingKey,
    envelope: e.envelope,
    headers,
    stream: streamOf(e.envelope),
  }));
  const outbox = sql.table(`${schema}.outbox`);
  const log = sql.table(`${schema}.event_log`);
  await sql`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(id uuid, type text, routing_key text, envelope jsonb, headers jsonb, stream text)
    ), o as (
      insert into ${outbox} (id, type, routing_key, envelope, headers)
      select id, type, routing_key, envelope, headers from input
    )
    insert into ${log} (event_id, direction, type, stream, envelope)
    select id, 'emitted', type, stream, envelope from input`.execute(trx);
}
