import { isPartnerError, type PartnerError } from '@healthsync/partner-kit';
import { HttpProblem, type Logger } from '@healthsync/platform';

/** A classified partner failure as an HTTP problem; its message is already free of secrets. */
export function problemForPartnerError(e: PartnerError): HttpProblem {
  const retryAt = e.details.retryAt ? { retryAt: e.details.retryAt.toISOString() } : {};
  switch (e.code) {
    case 'auth_revoked':
      return new HttpProblem(409, 'auth_revoked', 'Partner refused the credentials', e.message);
    case 'rate_limited':
      return new HttpProblem(429, 'partner_rate_limited', 'Partner rate limit', e.message, retryAt);
    case 'transient':
      return new HttpProblem(503, 'partner_unavailable', 'Partner unavailable', e.message, retryAt);
    case 'not_found':
    case 'conflict':
    case 'invalid_data':
      return new HttpProblem(502, 'partner_error', 'Partner answered unexpectedly', e.message);
  }
}

/** Any failure of a partner call: classified ones become problems, others are rethrown. */
export function partnerProblem(
  e: unknown,
  logger: Logger,
  context: { partner: string; op: string },
): unknown {
  if (!isPartnerError(e)) return e;
  logger.warn(
    { ...context, code: e.code, status: e.details.status, reason: e.message },
    'partner call failed',
  );
  return problemForPartnerError(e);
}
