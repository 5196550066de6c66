/**
 * The closed set of expected failures (CONVENTIONS.md "Services"). Partner calls, handlers and
 * HTTP routes classify every expected failure into one of these; the bus maps them to
 * ack / delayed retry / dead letter in one place.
 */
export const ERROR_CODES = [
  'auth_revoked',
  'rate_limited',
  'transient',
  'invalid_data',
  'not_found',
  'conflict',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
