import { z } from 'zod';
import { EnvelopeBase } from './envelope.js';

export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly payload: TSchema;
  /** Routing key for one payload, e.g. `sync.due.withings`. */
  readonly routingKey: (payload: z.infer<TSchema>) => string;
  /** Topic pattern matching every routing key of this event, e.g. `sync.due.*`. */
  readonly routingPattern: string;
  readonly example: z.infer<TSchema>;
  readonly description: string;
}

export function defineEvent<TType extends string, TSchema extends z.ZodType>(
  def: EventDefinition<TType, TSchema>,
): EventDefinition<TType, TSchema> {
  return def;
}

export type PayloadOf<E> = E extends EventDefinition<string, infer S> ? z.infer<S> : never;

/** Parses an envelope whose payload must match the event's schema; throws a readable error. */
export function envelopeSchema<E extends EventDefinition>(def: E) {
  return EnvelopeBase.extend({
    type: z.literal(def.type),
    version: z.literal(def.version),
    payload: def.payload,
  });
}

/** One line per problem, with the path: `payload.userId: Invalid input: expected string`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
