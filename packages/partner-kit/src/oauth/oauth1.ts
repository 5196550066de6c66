import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { z } from 'zod';
import { getOAuth1Generation, type ResolvedOAuth1Generation, type ResolvedPartner } from '../config.js';
import { codeForStatus, PartnerError, redactSecrets } from '../errors.js';
import { oauthPercentEncode } from './oauth1-signature.js';

/**
 * OAuth 1.0a client side (RFC 5849, HMAC-SHA1) with the `oauth-1.0a` package. Parameters are
 * always handed to the library as data and the URL without its query: that avoids the
 * library's base-string defects with encoded query keys and duplicate names.
 */

export interface OAuth1Token {
  readonly token: string;
  readonly tokenSecret: string;
}

export interface OAuth1AccessTokenResult extends OAuth1Token {
  readonly externalUserId?: string;
}

export interface OAuth1CallOptions {
  fetch?: typeof fetch;
  timeoutSeconds?: number;
}

export interface OAuth1SignInput {
  method: string;
  /** Absolute URL; its query parameters are signed. */
  url: string;
  /** Form body parameters (signed, sent as application/x-www-form-urlencoded). */
  form?: Readonly<Record<string, string>>;
}

export interface OAuth1Signed {
  /** The URL to call: with every oauth_* parameter in the query for query placement. */
  readonly url: string;
  readonly headers: Record<string, string>;
}

function client(gen: ResolvedOAuth1Generation): OAuth {
  return new OAuth({
    consumer: { key: gen.clientId, secret: gen.clientSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
}

function encodePairs(pairs: Iterable<readonly [string, string]>): string {
  return [...pairs].map(([k, v]) => `${oauthPercentEncode(k)}=${oauthPercentEncode(v)}`).join('&');
}

/**
 * Sign one request. `extraOAuth` carries `oauth_callback` / `oauth_verifier` on the token steps.
 * Placement `header` puts the oauth_* parameters in `Authorization`, `query` in the URL.
 */
export function oauth1Sign(
  gen: ResolvedOAuth1Generation,
  input: OAuth1SignInput,
  token: OAuth1Token | undefined,
  extraOAuth: Readonly<Record<string, string>> = {},
  placement: 'header' | 'query' = gen.signaturePlacement,
): OAuth1Signed {
  const u = new URL(input.url);
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) {
    if (k in query)
      throw new TypeError(`OAuth 1.0a signing does not support the repeated query parameter ${k}`);
    query[k] = v;
  }
  const bare = `${u.origin}${u.pathname}`;
  const data = { ...query, ...(input.form ?? {}), ...extraOAuth };
  const authorized = client(gen).authorize(
    { url: bare, method: input.method.toUpperCase(), data },
    token ? { key: token.token, secret: token.tokenSecret } : undefined,
  );
  const oauthData: Record<string, string> = { ...extraOAuth };
  // The library merges the signed data into the object it returns: keep only oauth_* fields.
  for (const [k, v] of Object.entries(authorized))
    if (k.startsWith('oauth_') && v !== undefined) oauthData[k] = String(v);
  const oauthPairs = Object.entries(oauthData).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const headers: Record<string, string> = {};
  if (input.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (placement === 'header') {
    headers.authorization = `OAuth ${oauthPairs.map(([k, v]) => `${oauthPercentEncode(k)}="${oauthPercentEncode(v)}"`).join(', ')}`;
    const qs = encodePairs(Object.entries(query));
    return { url: qs ? `${bare}?${qs}` : bare, headers };
  }
  return { url: `${bare}?${encodePairs([...Object.entries(query), ...oauthPairs])}`, headers };
}

/** The signed URL for an API call (query placement). */
export function oauth1SignedUrl(
  gen: ResolvedOAuth1Generation,
  input: OAuth1SignInput,
  token: OAuth1Token,
): string {
  return oauth1Sign(gen, input, token, {}, 'query').url;
}

/** The signed headers for an API call (header placement); the URL is unchanged. */
export function oauth1SignedHeaders(
  gen: ResolvedOAuth1Generation,
  input: OAuth1SignInput,
  token: OAuth1Token,
): Record<string, string> {
  return oauth1Sign(gen, input, token, {}, 'header').headers;
}

export function encodeForm(form: Readonly<Record<string, string>>): string {
  return encodePairs(Object.entries(form));
}

const TokenResponse = z.looseObject({
  oauth_token: z.string().min(1),
  oauth_token_secret: z.string().min(1),
});

async function tokenCall(
  resolved: ResolvedPartner,
  gen: ResolvedOAuth1Generation,
  op: string,
  url: string,
  token: OAuth1Token | undefined,
  extraOAuth: Record<string, string>,
  options: OAuth1CallOptions,
): Promise<Record<string, string>> {
  const signed = oauth1Sign(gen, { method: 'POST', url }, token, extraOAuth);
  const secrets = [gen.clientSecret, token?.token, token?.tokenSecret, extraOAuth.oauth_verifier];
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(signed.url, {
      method: 'POST',
      headers: signed.headers,
      signal: AbortSignal.timeout((options.timeoutSeconds ?? 15) * 1000),
    });
  } catch {
    throw new PartnerError('transient', `${resolved.id} ${op}: endpoint unreachable or timed out`, {
      partner: resolved.id,
    });
  }
  const text = await res.text().catch(() => '');
  const code = codeForStatus(res.status);
  if (code) {
    throw new PartnerError(
      code === 'not_found' ? 'invalid_data' : code,
      `${resolved.id} ${op}: HTTP ${res.status} ${redactSecrets(text, secrets)}`.trim(),
      {
        partner: resolved.id,
        status: res.status,
      },
    );
  }
  const fields = Object.fromEntries(new URLSearchParams(text));
  const parsed = TokenResponse.safeParse(fields);
  if (!parsed.success)
    throw new PartnerError(
      'invalid_data',
      `${resolved.id} ${op}: the response has no oauth_token and oauth_token_secret`,
      {
        partner: resolved.id,
        status: res.status,
      },
    );
  return fields;
}

/** Step 1: temporary credentials, bound to our callback URL. */
export async function oauth1RequestToken(
  resolved: ResolvedPartner,
  generation: string,
  params: { callbackUrl: string },
  options: OAuth1CallOptions = {},
): Promise<OAuth1Token> {
  const gen = getOAuth1Generation(resolved, generation);
  const fields = await tokenCall(
    resolved,
    gen,
    'request token',
    gen.requestTokenUrl,
    undefined,
    { oauth_callback: params.callbackUrl },
    options,
  );
  if (fields.oauth_callback_confirmed !== undefined && fields.oauth_callback_confirmed !== 'true')
    throw new PartnerError('invalid_data', `${resolved.id} request token: callback not confirmed`, {
      partner: resolved.id,
    });
  return { token: fields.oauth_token ?? '', tokenSecret: fields.oauth_token_secret ?? '' };
}

/** Step 2: where to send the user's browser. */
export function oauth1AuthorizeUrl(resolved: ResolvedPartner, generation: string, requestToken: string): URL {
  const gen = getOAuth1Generation(resolved, generation);
  const url = new URL(gen.authorizeUrl);
  url.searchParams.set('oauth_token', requestToken);
  return url;
}

/** Step 3: trade the authorized request token and the callback's verifier for token credentials. */
export async function oauth1AccessToken(
  resolved: ResolvedPartner,
  generation: string,
  params: { token: string; tokenSecret: string; verifier: string },
  options: OAuth1CallOptions = {},
): Promise<OAuth1AccessTokenResult> {
  const gen = getOAuth1Generation(resolved, generation);
  const fields = await tokenCall(
    resolved,
    gen,
    'access token',
    gen.accessTokenUrl,
    { token: params.token, tokenSecret: params.tokenSecret },
    { oauth_verifier: params.verifier },
    options,
  );
  const externalUserId = gen.externalUserId?.(fields) ?? fields.userid ?? fields.user_id;
  return {
    token: fields.oauth_token ?? '',
    tokenSecret: fields.oauth_token_secret ?? '',
    ...(externalUserId ? { externalUserId } : {}),
  };
}
