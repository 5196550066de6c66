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

/**
 * Remove secrets from text that came from a partner (error descriptions often echo the token:
 * Fitbit's "Access token expired: eyJ..."). Known secrets are replaced, and so is any long
 * token-like run of characters, so partner text can be kept in errors and logs.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  out = out.replace(/[A-Za-z0-9._~+/=-]{24,}/g, '[redacted]');
  return out.length > 300 ? `${out.slice(0, 300)}...` : out;
}

/** Seconds or an HTTP date in a `Retry-After` header -> the moment it names. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): Date | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return new Date(now.getTime() + Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** Map an HTTP status to an error code (the part of classification every partner shares). */
export function codeForStatus(status: number): PartnerErrorCode | null {
  if (status < 400) return null;
  if (status === 401 || status === 403) return 'auth_revoked';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'transient';
  return 'invalid_data';
}
