import {
  type Catalog,
  catalog,
  type Envelope,
  type EventPayload,
  type EventType,
  envelopeSchema,
  formatZodError,
} from '@healthsync/contracts';
import { v7 as uuidv7 } from 'uuid';

export interface OutgoingEvent<T extends EventType = EventType> {
  readonly routingKey: string;
  readonly envelope: Envelope<T, EventPayload<T>>;
}

export interface EnvelopeContext {
  /** The service emitting the event. */
  readonly source: string;
  /** The event that caused this one, if any: its correlation id is carried over. */
  readonly cause?: Pick<Envelope, 'id' | 'correlationId'>;
  readonly occurredAt?: Date;
}

export function newId(): string {
  return uuidv7();
}

/** Build a validated envelope for a catalog event; the payload is parsed with its schema. */
export function createEvent<T extends EventType>(
  type: T,
  payload: EventPayload<T>,
  ctx: EnvelopeContext,
): OutgoingEvent<T> {
  const def = catalog[type] as Catalog[T];
  const parsed = def.payload.safeParse(payload);
  if (!parsed.success) throw new Error(`invalid ${type} payload: ${formatZodError(parsed.error)}`);
  const id = newId();
  const envelope: Envelope<T, EventPayload<T>> = {
    id,
    type,
    version: def.version,
    occurredAt: (ctx.occurredAt ?? new Date()).toISOString(),
    source: ctx.source,
    correlationId: ctx.cause?.correlationId ?? id,
    causationId: ctx.cause?.id ?? null,
    payload: parsed.data as EventPayload<T>,
  };
  return { routingKey: (def.routingKey as (p: unknown) => string)(parsed.data), envelope };
}

export class EnvelopeParseError extends Error {
  override readonly name = 'EnvelopeParseError';
  readonly code = 'invalid_data' as const;
}

// One schema per event type, built once: building it per message dominated a consumer's CPU.
const envelopeSchemas = new Map<EventType, ReturnType<typeof envelopeSchema>>();
function schemaFor(type: EventType) {
  let schema = envelopeSchemas.get(type);
  if (!schema) {
    schema = envelopeSchema(catalog[type]);
    envelopeSchemas.set(type, schema);
  }
  return schema;
}

/** Parse a message body as an envelope of a known event type; throws EnvelopeParseError with the reason. */
export function parseEnvelope(body: unknown): Envelope<EventType, unknown> {
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(catalog, type)) {
    throw new EnvelopeParseError(`unknown event type ${JSON.stringify(type)}`);
  }
  const result = schemaFor(type as EventType).safeParse(body);
  if (!result.success) throw new EnvelopeParseError(`${type}: ${formatZodError(result.error)}`);
  return result.data as Envelope<EventType, unknown>;
}

/** The stream an event belongs to in the event log: one connection, one user, or the type. */
export function streamOf(envelope: Envelope): string {
  const p = envelope.payload as { userId?: unknown; partner?: unknown } | null;
  if (p && typeof p.userId === 'string' && typeof p.partner === 'string') return `${p.partner}:${p.userId}`;
  if (p && typeof p.userId === 'string') return `user:${p.userId}`;
  return envelope.type;
}
