import type { OAuth1Generation } from './define-partner.js';

/** What `oauth1()` fills in when a declaration leaves it out: RFC 5849's common choices. */
export const OAUTH1_DEFAULTS = {
  kind: 'oauth1',
  signatureMethod: 'HMAC-SHA1',
  signaturePlacement: 'header',
} as const satisfies Partial<OAuth1Generation>;

type OAuth1Defaulted = keyof typeof OAUTH1_DEFAULTS;

/**
 * An OAuth 1.0a generation with the defaults filled in (HMAC-SHA1, OAuth parameters in the
 * `Authorization` header): a declaration names its three URLs and where its partner differs
 * (Withings' legacy API: parameters in the query). Like `oauth2()`, the result is a complete
 * `OAuth1Generation`.
 */
export function oauth1<const T extends Omit<OAuth1Generation, OAuth1Defaulted> & Partial<OAuth1Generation>>(
  spec: T,
): Omit<typeof OAUTH1_DEFAULTS, keyof T> & T & { readonly kind: 'oauth1' } {
  return { ...OAUTH1_DEFAULTS, ...spec, kind: 'oauth1' };
}
