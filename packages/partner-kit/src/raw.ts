import { z } from 'zod';
import type { PartnerErrorCode } from './errors.js';

/** Small shared pieces for reading raw partner data: tolerant zod fields, activity labels, status codes. */

/** A number the partner may leave out or send as null. */
export const rawNumber = z.number().finite().nullish();
/** A text the partner may leave out or send as null. */
export const rawText = z.string().nullish();

/**
 * A partner id sent as a JSON number or a string of digits, kept as its decimal string. Numbers
 * above 2^53 are accepted (some partners' ids are): the same JSON parse reads them everywhere, so
 * both sides name the item identically.
 */
export const RawId = z
  .union([z.number().nonnegative().refine(Number.isInteger, 'not an integer'), z.string().regex(/^\d+$/)])
  .transform(String);

/** A partner's activity label as the app's activity type: `Mountain Biking` -> `mountain_biking`. */
export const activityTypeOf = (label: string): string => label.toLowerCase().replace(/[^a-z]+/g, '_');

/** A label or type as a display name: `weight_training` -> `Weight training`. */
export const titleOf = (label: string): string => {
  const text = label.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/**
 * Partners that answer with numeric status codes published as families (`'100-102,200,401'`):
 * the code of the first family a status falls in, `fallback` for any other non-success status,
 * null for a success status.
 */
export function statusFamilies(
  families: Readonly<Partial<Record<PartnerErrorCode, string>>>,
  options: { readonly success: number; readonly fallback: PartnerErrorCode },
): (status: number) => PartnerErrorCode | null {
  const ranges = Object.entries(families).map(([code, spec]) => ({
    code: code as PartnerErrorCode,
    parts: (spec ?? '').split(',').map((r) => r.split('-').map(Number)),
  }));
  return (status) => {
    if (status === options.success) return null;
    const hit = ranges.find((r) =>
      r.parts.some(([lo = Number.NaN, hi = lo]) => status >= lo && status <= hi),
    );
    return hit?.code ?? options.fallback;
  };
}

/**
 * A two-way table between a partner's codes and the app's values (activity types, meals): `toApp`
 * reads a code (unknown or absent: `fallback.app`); `fromApp` writes the first code listed for a
 * value, unless `send` names another (unlisted: `fallback.partner`). Integer-like keys are listed
 * in ascending order (JavaScript's object key order).
 */
export function codeTable<V extends string>(
  codes: Readonly<Record<string, V>>,
  fallback: {
    readonly app: V;
    readonly partner: string;
    readonly send?: Readonly<Partial<Record<V, string>>>;
  },
) {
  const back = new Map<string, string>(Object.entries(fallback.send ?? {}) as [string, string][]);
  for (const [code, value] of Object.entries(codes)) if (!back.has(value)) back.set(value, code);
  return {
    toApp: (code: string | number | null | undefined): V =>
      code !== null && code !== undefined && Object.hasOwn(codes, String(code))
        ? (codes[String(code)] ?? fallback.app)
        : fallback.app,
    fromApp: (value: string): string => back.get(value) ?? fallback.partner,
  };
}

/** A value at a dot path of a body (undefined when absent). */
const at = (body: unknown, path: string) =>
  path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      body,
    );

/**
 * A `classify` for partners that answer HTTP 200 with the outcome in the body (`{status: 601,
 * error: '...'}`): the status code read at `status` (a path) through `codes` (e.g.
 * `statusFamilies`); `retryAfterSeconds` dates a rate limit; an answer without a readable status
 * is `transient` (an HTTP error without one is left to the kit's HTTP classification). Null for a
 * success status. Messages are `status 601: <error text>`: the client names the partner and the
 * call before them.
 */
export function bodyStatusClassifier(spec: {
  readonly status: string;
  readonly error?: string;
  readonly codes: (status: number) => PartnerErrorCode | null;
  readonly retryAfterSeconds?: number;
}) {
  return (res: { readonly status: number; readonly body: unknown }) => {
    const status = at(res.body, spec.status);
    if (typeof status !== 'number' || !Number.isInteger(status))
      // An HTTP error without the envelope is the kit's to classify by its HTTP status.
      return res.status >= 400
        ? null
        : { code: 'transient' as const, message: `answered without a status (HTTP ${res.status})` };
    const code = spec.codes(status);
    if (!code) return null;
    const error = spec.error && at(res.body, spec.error);
    const detail = typeof error === 'string' && error ? `: ${error.replace(/\s+/g, ' ').slice(0, 200)}` : '';
    const wait = code === 'rate_limited' && spec.retryAfterSeconds !== undefined;
    return {
      code,
      message: `status ${status}${detail}`,
      ...(wait && { retryAt: new Date(Date.now() + (spec.retryAfterSeconds ?? 0) * 1000) }),
    };
  };
}

/** The RFC 6749 error a classified token-endpoint failure means (anything else: `invalid_grant`). */
const OAUTH_ERRORS: Readonly<Partial<Record<PartnerErrorCode, string>>> = {
  rate_limited: 'slow_down',
  transient: 'temporarily_unavailable',
};

/**
 * An `adaptTokenResponse` for token endpoints that answer inside the same status envelope as the
 * API (`{status: 0, body: {access_token, ...}}`): the token response at `body` on success, else
 * the RFC 6749 error its status means (`codes`: e.g. `statusFamilies`), described `status
 * <status>`. An answer without a status is `temporarily_unavailable` (`transient` to the OAuth
 * client, which names the partner and the call).
 */
export function bodyStatusTokens(spec: {
  readonly status: string;
  readonly body: string;
  readonly codes: (status: number) => PartnerErrorCode | null;
}) {
  return (raw: unknown): unknown => {
    const status = at(raw, spec.status);
    if (typeof status !== 'number' || !Number.isInteger(status))
      return { error: 'temporarily_unavailable', error_description: 'answered without a status' };
    const code = spec.codes(status);
    if (code === null) return at(raw, spec.body);
    return {
      error: OAUTH_ERRORS[code] ?? 'invalid_grant',
      error_description: `status ${status}`,
    };
  };
}
