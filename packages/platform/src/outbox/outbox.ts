import { context, propagation } from '@opentelemetry/api';
import { type RawBuilder, sql } from 'kysely';
import type { DbOrTx } from '../db/db.js';
import { type OutgoingEvent, streamOf } from '../envelope.js';

/**
 * The common table expressions that write `events` to the outbox and the event log of `schema`,
 * for callers that fold the write into a larger statement. `guard`, when given, is a boolean SQL
 * expression: the events are written only when it holds (e.g. "this worker still holds the fence").
 * The current trace context is captured into the message headers so the trace continues in the
 * consumer.
 */
export function outboxCtes(
  schema: string,
  events: readonly OutgoingEvent[],
  guard?: RawBuilder<unknown>,
): RawBuilder<unknown> {
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
  return sql`
    hs_outbox_input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(id uuid, type text, routing_key text, envelope jsonb, headers jsonb, stream text)
      where ${guard ?? sql`true`}
    ), hs_outbox_rows as (
      insert into ${outbox} (id, type, routing_key, envelope, headers)
      select id, type, routing_key, envelope, headers from hs_outbox_input
    ), hs_outbox_log as (
      insert into ${log} (event_id, direction, type, stream, envelope)
      select id, 'emitted', type, stream, envelope from hs_outbox_input
    )`;
}

/**
 * Write events in the caller's transaction (DESIGN.md §8): the outbox row and its event-log entry
 * commit or roll back with the state change. One round trip for any number of events.
 */
export async function enqueueEvents(
  trx: DbOrTx,
  schema: string,
  events: readonly OutgoingEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await sql`with ${outboxCtes(schema, events)} select 1`.execute(trx);
}
