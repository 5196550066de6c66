import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { describeError } from './outcome.js';

const TRACER = '@healthsync/platform/bus';

/** AMQP header values as a W3C trace-context carrier (amqplib hands binary values as Buffers). */
export function traceCarrier(headers: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (!headers) return carrier;
  for (const key of ['traceparent', 'tracestate', 'baggage']) {
    const value = headers[key];
    if (typeof value === 'string') carrier[key] = value;
    else if (Buffer.isBuffer(value)) carrier[key] = value.toString('utf8');
  }
  return carrier;
}

/**
 * A producer span for one message, child of the trace context the message already carries (the
 * outbox captured it when the event was written) or else of the active context. Returns the
 * headers to send: the original ones with the producer span's context injected, so the consumer's
 * span nests under it.
 */
export function startProducerSpan(
  routingKey: string,
  messageId: string,
  exchange: string,
  headers: Readonly<Record<string, unknown>> | undefined,
): { span: Span; headers: Record<string, unknown> } {
  const carried = traceCarrier(headers);
  const parent = carried.traceparent ? propagation.extract(ROOT_CONTEXT, carried) : context.active();
  const span = trace.getTracer(TRACER).startSpan(
    `${routingKey} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'send',
        'messaging.destination.name': exchange,
        'messaging.rabbitmq.destination.routing_key': routingKey,
        'messaging.message.id': messageId,
      },
    },
    parent,
  );
  const out: Record<string, unknown> = { ...headers };
  const injected: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), injected);
  Object.assign(out, injected);
  return { span, headers: out };
}

/** A consumer span for one delivery, child of the producer's span carried in the headers. */
export function startConsumerSpan(
  queue: string,
  routingKey: string,
  messageId: string | undefined,
  headers: Readonly<Record<string, unknown>> | undefined,
): { span: Span; context: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, traceCarrier(headers));
  const span = trace.getTracer(TRACER).startSpan(
    `${queue} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queue,
        'messaging.rabbitmq.destination.routing_key': routingKey,
        ...(messageId ? { 'messaging.message.id': messageId } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export function endSpan(span: Span, error?: unknown, outcome?: string): void {
  if (outcome) span.setAttribute('healthsync.outcome', outcome);
  if (error !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
  }
  span.end();
}
