import { type ConsumerQueue, type ErrorCode, isErrorCode, retryQueueName } from '@healthsync/contracts';

/**
 * What becomes of a delivered message: the one place where handler results map to broker actions
 * (CONVENTIONS.md "Services").
 *
 * - success: ack;
 * - `transient`, `rate_limited` or an error without a known code: delayed retry through the
 *   queue's retry queues (one per attempt), then dead letter once the last delay was used;
 * - `invalid_data`, `not_found`, `conflict`, `auth_revoked` (and envelopes that fail to parse,
 *   which throw `invalid_data`): dead letter at once, with the reason.
 */
export type Outcome =
  | { readonly kind: 'ack' }
  | {
      readonly kind: 'retry';
      /** The retry queue the message is published to (through the default exchange). */
      readonly retryQueue: string;
      readonly delayMs: number;
      /** The attempt number the copy carries (1 for the first retry). */
      readonly attempt: number;
      readonly reason: string;
    }
  | { readonly kind: 'dead'; readonly reason: string };

/** Codes whose failure another attempt cannot fix. */
export const DEAD_LETTER_CODES: readonly ErrorCode[] = [
  'invalid_data',
  'not_found',
  'conflict',
  'auth_revoked',
];

export function errorCodeOf(error: unknown): ErrorCode | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return isErrorCode(code) ? code : undefined;
}

/** When the error says the work may be retried (e.g. a partner's Retry-After), in ms from `now`. */
function retryAfterMs(error: unknown, now: number): number | undefined {
  const details = (error as { details?: { retryAt?: unknown } } | null | undefined)?.details;
  const at = details?.retryAt;
  if (at instanceof Date && !Number.isNaN(at.getTime())) return Math.max(0, at.getTime() - now);
  return undefined;
}

/**
 * A one-line reason fit for a message header and an operator: the error's code and message, with
 * token-like runs removed and the length bounded. Never a stack.
 */
export function describeError(error: unknown): string {
  const code = errorCodeOf(error);
  const raw =
    error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const text = (raw ?? String(error))
    .replace(/\b(bearer|basic)\s+\S+/gi, '$1 [redacted]')
    .replace(/[A-Za-z0-9._~+/=-]{32,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  const bounded = text.length > 500 ? `${text.slice(0, 500)}...` : text;
  return code ? `${code}: ${bounded}` : bounded || 'error';
}

/**
 * The outcome of a failed delivery. `attempt` is how many retries this copy already went through
 * (0 for the original delivery). A `retryAt` in the error's details (rate limits) skips ahead to
 * the first retry delay that is long enough.
 */
export function failureOutcome(
  error: unknown,
  queue: Pick<ConsumerQueue, 'name' | 'retryDelaysMs'>,
  attempt: number,
  now: number = Date.now(),
): Outcome {
  const reason = describeError(error);
  const code = errorCodeOf(error);
  if (code && DEAD_LETTER_CODES.includes(code)) return { kind: 'dead', reason };
  const delays = queue.retryDelaysMs;
  if (attempt >= delays.length) {
    return { kind: 'dead', reason: `gave up after ${attempt} retries: ${reason}` };
  }
  let index = attempt;
  const wait = retryAfterMs(error, now);
  if (wait !== undefined) {
    while (index < delays.length - 1 && (delays[index] ?? 0) < wait) index++;
  }
  const delayMs = delays[index]!;
  return {
    kind: 'retry',
    retryQueue: retryQueueName(queue.name, delayMs),
    delayMs,
    attempt: index + 1,
    reason,
  };
}
