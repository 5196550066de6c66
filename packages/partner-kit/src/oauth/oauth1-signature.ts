import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * RFC 5849 signatures, written here rather than taken from a client library so that a fake
 * server verifies exactly what the RFC says (§3.4.1 base string, §3.4.2 HMAC-SHA1, §3.6
 * percent-encoding). Tested against the RFC's own vectors.
 */

/** RFC 3986 unreserved characters stay; everything else is %XX in upper case (RFC 5849 §3.6). */
export function oauthPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export class OAuth1FormatError extends Error {
  override readonly name = 'OAuth1FormatError';
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new OAuth1FormatError('malformed percent-encoding');
  }
}

/** `a=1&b=x+y` -> [['a','1'],['b','x y']], keeping duplicates and order. */
export function parseFormPairs(text: string): [string, string][] {
  if (!text) return [];
  return text
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0
        ? [formDecode(part), '']
        : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))];
    });
}

/** The `Authorization: OAuth k="v", ...` parameters, decoded (realm included; callers drop it). */
export function parseOAuthHeader(header: string): [string, string][] {
  const m = /^\s*OAuth\s+(.*)$/is.exec(header);
  if (!m) return [];
  const out: [string, string][] = [];
  const re = /\s*([^=\s,]+)\s*=\s*"([^"]*)"\s*(?:,|$)/gy;
  const rest = m[1] ?? '';
  let match: RegExpExecArray | null = re.exec(rest);
  let consumed = 0;
  while (match) {
    out.push([formDecode(match[1] ?? ''), formDecode(match[2] ?? '')]);
    consumed = re.lastIndex;
    match = re.exec(rest);
  }
  if (rest.slice(consumed).trim().length > 0) throw new OAuth1FormatError('malformed Authorization header');
  return out;
}

/** scheme://host[:port]/path, lower-cased scheme and host, default ports dropped (§3.4.1.2). */
export function baseStringUri(url: string | URL): string {
  const u = new URL(url);
  const scheme = u.protocol.toLowerCase();
  const host = u.hostname.toLowerCase();
  const port =
    u.port && !((scheme === 'http:' && u.port === '80') || (scheme === 'https:' && u.port === '443'))
      ? `:${u.port}`
      : '';
  return `${scheme}//${host}${port}${u.pathname}`;
}

/** Normalised parameters (§3.4.1.3.2): encode, sort by name then value, join. */
export function normalizeParameters(params: readonly (readonly [string, string])[]): string {
  return params
    .map(([k, v]) => [oauthPercentEncode(k), oauthPercentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** The signature base string (§3.4.1.1); `params` excludes `oauth_signature` and `realm`. */
export function signatureBaseString(
  method: string,
  url: string | URL,
  params: readonly (readonly [string, string])[],
): string {
  return [
    method.toUpperCase(),
    oauthPercentEncode(baseStringUri(url)),
    oauthPercentEncode(normalizeParameters(params)),
  ].join('&');
}

/** HMAC-SHA1 with key `enc(consumerSecret)&enc(tokenSecret)`, base64 (§3.4.2). */
export function hmacSha1Signature(baseString: string, consumerSecret: string, tokenSecret = ''): string {
  const key = `${oauthPercentEncode(consumerSecret)}&${oauthPercentEncode(tokenSecret)}`;
  return createHmac('sha1', key).update(baseString).digest('base64');
}

export interface OAuth1IncomingRequest {
  method: string;
  /** The absolute URL as the client addressed it, query included. */
  url: string;
  authorization?: string | undefined;
  contentType?: string | undefined;
  /** The raw body; form parameters are signed only for `application/x-www-form-urlencoded`. */
  body?: string | Buffer | undefined;
}

export interface ParsedOAuth1Request {
  /** Every signed parameter (query, form body, oauth_* from header or query), realm and signature excluded. */
  readonly params: readonly [string, string][];
  /** The oauth_* parameters, signature included. */
  readonly oauth: Readonly<Record<string, string>>;
  readonly baseString: string;
}

/** Collect a request's parameters as RFC 5849 §3.4.1.3 does. Throws OAuth1FormatError. */
export function parseOAuth1Request(req: OAuth1IncomingRequest): ParsedOAuth1Request {
  const u = new URL(req.url);
  const all: [string, string][] = [];
  all.push(...parseFormPairs(u.search.replace(/^\?/, '')));
  const isForm = (req.contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  if (isForm && req.body !== undefined)
    all.push(...parseFormPairs(typeof req.body === 'string' ? req.body : req.body.toString('utf8')));
  if (req.authorization) all.push(...parseOAuthHeader(req.authorization).filter(([k]) => k !== 'realm'));
  const oauth: Record<string, string> = {};
  for (const [k, v] of all) {
    if (!k.startsWith('oauth_')) continue;
    if (k in oauth) throw new OAuth1FormatError(`duplicate OAuth parameter ${k}`);
    oauth[k] = v;
  }
  const params = all.filter(([k]) => k !== 'oauth_signature');
  return { params, oauth, baseString: signatureBaseString(req.method, req.url, params) };
}

export interface OAuth1Secrets {
  consumerSecret: string;
  tokenSecret?: string;
}

export type OAuth1VerifyResult =
  | { ok: true; consumerKey: string; token?: string; oauth: Readonly<Record<string, string>> }
  | { ok: false; reason: string };

export interface VerifyOAuth1Options {
  now?: Date;
  /** Reject timestamps further than this from `now` (default 300 s); 0 disables the check. */
  maxSkewSeconds?: number;
  /** Return true when this nonce was already used with this timestamp and key (replay). */
  nonceSeen?: (consumerKey: string, nonce: string, timestamp: string) => boolean;
}

/**
 * Verify an HMAC-SHA1 signed request. `secrets` looks up the consumer's and the token's secret
 * (undefined: unknown consumer or token).
 */
export function verifyOAuth1Request(
  req: OAuth1IncomingRequest,
  secrets: (consumerKey: string, token: string | undefined) => OAuth1Secrets | undefined,
  options: VerifyOAuth1Options = {},
): OAuth1VerifyResult {
  let parsed: ParsedOAuth1Request;
  try {
    parsed = parseOAuth1Request(req);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : 'malformed request' };
  }
  const { oauth } = parsed;
  const consumerKey = oauth.oauth_consumer_key;
  const signature = oauth.oauth_signature;
  if (!consumerKey) return { ok: false, reason: 'missing oauth_consumer_key' };
  if (!signature) return { ok: false, reason: 'missing oauth_signature' };
  if (oauth.oauth_signature_method !== 'HMAC-SHA1')
    return { ok: false, reason: 'unsupported oauth_signature_method' };
  if (oauth.oauth_version !== undefined && oauth.oauth_version !== '1.0')
    return { ok: false, reason: 'unsupported oauth_version' };
  const maxSkew = options.maxSkewSeconds ?? 300;
  if (maxSkew > 0) {
    const ts = Number(oauth.oauth_timestamp);
    const now = (options.now ?? new Date()).getTime() / 1000;
    if (!Number.isFinite(ts) || Math.abs(now - ts) > maxSkew)
      return { ok: false, reason: 'timestamp out of range' };
  }
  const token = oauth.oauth_token;
  const found = secrets(consumerKey, token);
  if (!found) return { ok: false, reason: token ? 'unknown consumer or token' : 'unknown consumer' };
  const expected = Buffer.from(
    hmacSha1Signature(parsed.baseString, found.consumerSecret, found.tokenSecret ?? ''),
  );
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'invalid signature' };
  if (
    options.nonceSeen &&
    oauth.oauth_nonce !== undefined &&
    options.nonceSeen(consumerKey, oauth.oauth_nonce, oauth.oauth_timestamp ?? '')
  )
    return { ok: false, reason: 'nonce already used' };
  return { ok: true, consumerKey, ...(token ? { token } : {}), oauth };
}
