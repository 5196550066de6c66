import type { PartnerErrorCode } from './errors.js';
import { bodyStatusClassifier, bodyStatusTokens, statusFamilies } from './raw.js';

export interface StatusEnvelopeSpec {
  /** Dot paths in every answer: the status code, the payload (on the token endpoint, the token
   * response) and, when there is one, the error text. */
  readonly paths: { readonly status: string; readonly body: string; readonly error?: string };
  /** The status of a success. */
  readonly success: number;
  /** The error code of each published status family (`'100-102,200,401'`, see `statusFamilies`). */
  readonly families: Readonly<Partial<Record<PartnerErrorCode, string>>>;
  /** The code of any other status (default `transient`: an unpublished status is retried, not
   * taken for bad data). */
  readonly fallback?: PartnerErrorCode;
  /** How long a `rate_limited` status waits before the next call. */
  readonly retryAfterSeconds?: number;
}

/**
 * A partner whose every answer, the token endpoint's included, is HTTP 200 with the outcome in a
 * body envelope (`{status, body, error}`), described once: `codes` (its `statusFamilies`),
 * `classify` (the API's `bodyStatusClassifier`) and `tokens` (the generation's
 * `adaptTokenResponse`, `bodyStatusTokens`), all reading the same paths and families.
 */
export function statusEnvelope(spec: StatusEnvelopeSpec) {
  const { paths, fallback = 'transient' } = spec;
  const codes = statusFamilies(spec.families, { success: spec.success, fallback });
  return {
    codes,
    classify: bodyStatusClassifier({
      status: paths.status,
      codes,
      ...(paths.error !== undefined && { error: paths.error }),
      ...(spec.retryAfterSeconds !== undefined && { retryAfterSeconds: spec.retryAfterSeconds }),
    }),
    tokens: bodyStatusTokens({ status: paths.status, body: paths.body, codes }),
  };
}
