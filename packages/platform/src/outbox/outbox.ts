import { catalog, type EventType } from '@healthsync/contracts';
import { context, propagation } from '@opentelemetry/api';
import { type RawBuilder, sql } from 'kysely';
import type { DbOrTx } from '../db/db.js';
import { type OutgoingEvent, streamOf } from '../envelope.js';

/**
 * The common table expressions that write `events` to the outbox and the event log of `schema`,
 * for callers that fold the write into a larger statement. `guard`, when given, is a boolean SQL
 * expression: the events are written only when it holds (e.g. "this worker still holds the fence").
 * It is evaluated for each event and may refer to the event's `id` (uuid), so one statement can
 * write some of its events and not others.
 * The current trace context is captured into the message headers so the trace continues in the
 * consumer.
 */
export function outboxCtes(
  schema: string,
  events: readonly OutgoingEvent[],
  guard?: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const rows = events.map((e) => ({
    id: e.envelope.id,
    type: e.envelope.type,
    routing_key: e.routingKey,
    envelope: e.envelope,
    stream: streamOf(e.envelope),
  }));
  return sql`
    hs_outbox_input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(id uuid, type text, routing_key text, envelope jsonb, stream text)
      where ${guard ?? sql`true`}
    ), ${outboxWrites(schema)}`;
}

/**
 * The outbox rows and event-log entries of the CTE `hs_outbox_input` (id, type, routing_key,
 * stream, envelope), with the current trace context as every message's headers.
 */
function outboxWrites(schema: string): RawBuilder<unknown> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return sql`hs_outbox_rows as (
      insert into ${sql.table(`${schema}.outbox`)} (id, type, routing_key, envelope, headers)
      select id, type, routing_key, envelope, ${JSON.stringify(headers)}::jsonb from hs_outbox_input
    ), hs_outbox_log as (
      insert into ${sql.table(`${schema}.event_log`)} (event_id, direction, type, stream, envelope)
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

/**
 * The first 15 characters of a UUIDv7's text form for the millisecond `ms` (RFC 9562 §5.7:
 * 48-bit Unix time in ms, then the version nibble 7): `xxxxxxxx-xxxx-7`. Laid over the text of a
 * random (v4) UUID, whose variant bits stay in place, it makes a v7 with 74 random bits.
 */
export function uuidV7Prefix(ms: number): string {
  const hex = Math.floor(ms).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
}

/** Events of one type made in SQL from the rows of a query (see {@link outboxCtesFromQuery}). */
export interface QueryEvents {
  readonly type: EventType;
  /** The envelope's `source`. */
  readonly source: string;
  /** The envelope's `occurredAt` (the same for every row). */
  readonly occurredAt: Date;
  /**
   * One row per event, with the columns `routing_key` (text), `stream` (text: the event-log
   * stream, as {@link streamOf} would name it) and `payload` (text: the payload as JSON, valid
   * for the catalog schema of `type`; the caller builds it, nothing parses it here).
   */
  readonly rows: RawBuilder<unknown>;
}

/**
 * Like {@link outboxCtes}, for events made from rows the same statement produces (e.g. rows it
 * just claimed), so that one round trip both changes the state and writes its events: the
 * outbox row and the event-log entry of each row of `events.rows`, with the envelope
 * {@link createEvent} makes (UUIDv7 id, the id as correlation id, no cause) and the current trace
 * context in the message headers.
 *
 * The CTEs are `hs_outbox_input` (id, type, routing_key, stream, envelope: one row per event),
 * `hs_outbox_rows` and `hs_outbox_log`; the caller puts them after its own CTEs and may read
 * `hs_outbox_input`. The envelope is written as JSON text and parsed once (cheaper than
 * `jsonb_build_object` row by row). The ids share the statement's millisecond, followed by
 * `gen_random_uuid()`'s random bits (74 of them stay random).
 */
export function outboxCtesFromQuery(schema: string, events: QueryEvents): RawBuilder<unknown> {
  const def = catalog[events.type];
  if (!def) throw new Error(`unknown event type ${events.type}`);
  // Everything before the id: literals made here, JSON-encoded.
  const head = `{"type":${JSON.stringify(events.type)},"version":${def.version},"occurredAt":${JSON.stringify(
    events.occurredAt.toISOString(),
  )},"source":${JSON.stringify(events.source)},"causationId":null,"id":"`;
  return sql`
    hs_outbox_input as (
      select e.id::uuid as id, ${events.type}::text as type, e.routing_key, e.stream,
        (${head}::text || e.id || '","correlationId":"' || e.id || '","payload":' || e.payload || '}')::jsonb
          as envelope
      from (
        select overlay(gen_random_uuid()::text placing ${uuidV7Prefix(Date.now())}::text from 1 for 15) as id,
          q.routing_key, q.stream, q.payload
        from (${events.rows}) q
      ) e
    ), ${outboxWrites(schema)}`;
}
