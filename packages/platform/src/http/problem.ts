import type { ErrorCode } from '@healthsync/contracts';

/**
 * An RFC 9457 problem. Routes throw these; the error handler answers them as
 * `application/problem+json` with a stable `code`.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    /** A stable, machine-readable code (`not_found`, `forbidden`, `invalid_request`, ...). */
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export const problems = {
  badRequest: (detail: string, extra: Record<string, unknown> = {}) =>
    new HttpProblem(400, 'invalid_request', 'Invalid request', detail, extra),
  unauthorized: (detail = 'A valid bearer token is required') =>
    new HttpProblem(401, 'unauthorized', 'Unauthorized', detail),
  forbidden: (detail = 'Not allowed for this caller') =>
    new HttpProblem(403, 'forbidden', 'Forbidden', detail),
  notFound: (detail = 'Not found') => new HttpProblem(404, 'not_found', 'Not found', detail),
  conflict: (detail: string) => new HttpProblem(409, 'conflict', 'Conflict', detail),
  tooMany: (detail = 'Too many requests') =>
    new HttpProblem(429, 'rate_limited', 'Too many requests', detail),
  unavailable: (detail: string) => new HttpProblem(503, 'unavailable', 'Service unavailable', detail),
} as const;

/** Map the closed error codes to HTTP statuses, for routes that surface a classified failure. */
export function statusForCode(code: ErrorCode): number {
  switch (code) {
    case 'auth_revoked':
      return 409;
    case 'rate_limited':
      return 429;
    case 'transient':
      return 503;
    case 'invalid_data':
      return 422;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
  }
}
