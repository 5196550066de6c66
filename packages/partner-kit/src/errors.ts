/**
 * The closed set of expected failures (CONVENTIONS.md). Every failure of a partner call is
 * classified into one of these; the bus consumer wrapper and the sync worker map codes to
 * ack / delayed retry / dead letter / needs-reauth in one place.
 */
import { ERROR_CODES, type ErrorCode } from '@healthsync/contracts';

export const PARTNER_ERROR_CODES = ERROR_CODES;
export type PartnerErrorCode = ErrorCode;

export class PartnerError extends Error {
  override readonly name = 'PartnerError';
  constructor(
    readonly code: PartnerErrorCode,
    message: string,
    readonly details: {
      /** When the partner said we may call again (rate_limited, transient). */
      retryAt?: Date;
      /** HTTP status, or the partner's in-body status (Withings). */
      status?: number;
      partner?: string;
    } = {},
  ) {
    super(message);
  }
}

export function isPartnerError(e: unknown): e is PartnerError {
  return e instanceof PartnerError;
}
