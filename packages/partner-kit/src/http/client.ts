import { getGeneration, type ResolvedPartner } from '../config.js';
import type {
  Credentials,
  PartnerApi,
  PartnerHttp,
  PartnerRequest,
  PartnerResponse,
} from '../define-partner.js';
import {
  codeForStatus,
  PartnerError,
  type PartnerErrorCode,
  parseRetryAfter,
  redactSecrets,
} from '../errors.js';
import { encodeForm, oauth1Sign } from '../oauth/oauth1.js';
import type { RateBudget } from './rate-budget.js';

/**
 * The signed HTTP client a partner's resources get for one connection. Partner code describes
 * requests; the client signs them (Bearer or OAuth 1.0a, header or query), takes the shared rate
 * budget before every call, follows the partner's rate-limit headers, retries idempotent calls
 * on transient failures with jittered backoff, refreshes credentials once on 401, and turns
 * every failure into a PartnerError.
 */

export interface PartnerHttpOptions {
  api: PartnerApi;
  resolved: ResolvedPartner;
  /** The connection's current credentials (from the auth service's credentials API). */
  credentials: () => Promise<Credentials>;
  /** Ask for fresh credentials after a 401 (the auth service refreshes, single-flight). */
  refreshCredentials?: () => Promise<Credentials>;
  budget?: RateBudget;
  /** Identifies the connection in the rate budget (our user id, or the partner's). */
  userKey: string;
  fetch?: typeof fetch;
  /** Retries of an idempotent call after a transient failure (default 2). */
  maxRetries?: number;
  /** Base of the exponential backoff (default 250 ms; full jitter). */
  retryBaseMs?: number;
  /** Per-attempt timeout (default 20 s). */
  timeoutMs?: number;
  /** Which budget scope a 429 or `remaining: 0` blocks when the partner does not say (default: user if the partner has user limits). */
  rateLimitScope?: 'app' | 'user';
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

function buildUrl(apiUrl: string, path: string, query: PartnerRequest['query']): URL {
  let url: URL;
  if (/^https?:\/\//i.test(path)) {
    url = new URL(path);
    const base = new URL(apiUrl);
    if (url.origin !== base.origin)
      throw new PartnerError('invalid_data', `refusing to call ${url.origin}: not the partner API`);
  } else {
    const base = apiUrl.replace(/\/+$/, '');
    url = new URL(`${base}${path.startsWith('/') ? '' : '/'}${path}`);
  }
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined) url.searchParams.append(k, String(v));
  return url;
}

function formRecord(form: PartnerRequest['form']): Record<string, string> | undefined {
  if (!form) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (v !== undefined) out[k] = String(v);
  return out;
}

function parseBody(text: string, contentType: string): unknown {
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  if (looksJson && text.length > 0) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

interface Classified {
  code: PartnerErrorCode;
  message: string;
  retryAt?: Date;
}

export function createPartnerHttp(options: PartnerHttpOptions): PartnerHttp {
  const { api, resolved } = options;
  const partner = resolved.id;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? (() => new Date());
  const maxRetries = options.maxRetries ?? 2;
  const base = options.retryBaseMs ?? 250;
  const scope =
    options.rateLimitScope ??
    (resolved.declaration.rateLimits.some((l) => l.scope === 'user') ? 'user' : 'app');
  let current: Promise<Credentials> | undefined;
  const creds = () => {
    current ??= options.credentials();
    return current;
  };

  const secretsOf = (c: Credentials | undefined) =>
    c ? (c.kind === 'oauth2' ? [c.accessToken] : [c.token, c.tokenSecret]) : [];

  async function send(req: PartnerRequest, url: URL, c: Credentials): Promise<Response> {
    const method = req.method;
    const form = formRecord(req.form);
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    let body: string | undefined;
    if (form) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = encodeForm(form);
    } else if (req.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(req.json);
    }
    let target = url.toString();
    if (c.kind === 'oauth2') {
      headers.authorization = `Bearer ${c.accessToken}`;
    } else {
      const gen = getGeneration(resolved, c.generation);
      if (gen.kind !== 'oauth1')
        throw new PartnerError(
          'invalid_data',
          `${partner}: OAuth 1.0a credentials for a ${gen.kind} generation`,
        );
      const signed = oauth1Sign(
        gen,
        { method, url: target, ...(form ? { form } : {}) },
        { token: c.token, tokenSecret: c.tokenSecret },
      );
      target = signed.url;
      if (signed.headers.authorization) headers.authorization = signed.headers.authorization;
    }
    // Fitbit's POSTs need a Content-Length even when empty.
    if ((method === 'POST' || method === 'PUT') && body === undefined) body = '';
    return doFetch(target, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
  }

  function classify(res: PartnerResponse, secrets: readonly string[], what: string): Classified | null {
    const t = now();
    const retryHeader = parseRetryAfter(res.headers['retry-after'], t);
    const limits = api.rateLimitHeaders?.(res) ?? null;
    // The kit classifies 401/403/404/409/429/5xx; any other 4xx is the API's to describe first.
    const kitCode = codeForStatus(res.status);
    const own = kitCode === null || kitCode === 'invalid_data' ? (api.classify?.(res) ?? null) : null;
    if (res.status >= 400 && !own) {
      const code = kitCode ?? 'invalid_data';
      const snippet = redactSecrets(res.text.slice(0, 200).replace(/\s+/g, ' '), secrets);
      const message = `${what}: HTTP ${res.status}${snippet ? ` ${snippet}` : ''}`;
      if (code === 'rate_limited')
        return { code, message, retryAt: retryHeader ?? limits?.resetAt ?? new Date(t.getTime() + 60_000) };
      return { code, message, ...(code === 'transient' && retryHeader ? { retryAt: retryHeader } : {}) };
    }
    if (!own) return null;
    const message = `${what}: ${redactSecrets(own.message, secrets)}`;
    if (own.code === 'rate_limited')
      return {
        code: own.code,
        message,
        retryAt: own.retryAt ?? retryHeader ?? limits?.resetAt ?? new Date(t.getTime() + 60_000),
      };
    return { code: own.code, message, ...(own.retryAt ? { retryAt: own.retryAt } : {}) };
  }

  return {
    partner: api.declaration.displayName,
    ...(api.mismatch && { mismatch: api.mismatch }),
    ...(api.zone && { zone: api.zone }),
    async request(req) {
      const url = buildUrl(resolved.apiUrl, req.path, req.query);
      const what = `${partner} ${req.method} ${url.pathname}`;
      const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(req.method);
      let refreshed = false;
      let attempt = 0;
      for (;;) {
        await options.budget?.take(options.userKey);
        const c = await creds();
        const secrets = secretsOf(c);
        let raw: Response;
        try {
          raw = await send(req, url, c);
        } catch (e) {
          if (e instanceof PartnerError) throw e;
          const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
          const failure = new PartnerError(
            'transient',
            `${what}: ${timedOut ? 'timed out' : 'network error'}`,
            { partner },
          );
          if (idempotent && attempt < maxRetries) {
            await sleep(Math.random() * base * 2 ** attempt);
            attempt++;
            continue;
          }
          throw failure;
        }
        const text = await raw.text().catch(() => '');
        const headers: Record<string, string> = {};
        raw.headers.forEach((v, k) => {
          headers[k.toLowerCase()] = v;
        });
        const res: PartnerResponse = {
          status: raw.status,
          headers,
          text,
          body: parseBody(text, headers['content-type'] ?? ''),
        };

        const limits = api.rateLimitHeaders?.(res) ?? null;
        if (limits && limits.remaining <= 0)
          await options.budget?.block(options.userKey, scope, limits.resetAt);

        const problem = classify(res, secrets, what);
        if (!problem) return res;
        const details = {
          partner,
          status: res.status,
          ...(problem.retryAt ? { retryAt: problem.retryAt } : {}),
        };

        if (
          problem.code === 'auth_revoked' &&
          (res.status === 401 || res.status < 400) &&
          options.refreshCredentials &&
          !refreshed
        ) {
          // An expired access token: ask for fresh credentials once, then try again.
          refreshed = true;
          const fresh = options.refreshCredentials();
          current = fresh;
          await fresh;
          continue;
        }
        if (problem.code === 'rate_limited') {
          await options.budget?.block(
            options.userKey,
            scope,
            problem.retryAt ?? new Date(now().getTime() + 60_000),
          );
          throw new PartnerError('rate_limited', problem.message, details);
        }
        if (problem.code === 'transient' && idempotent && attempt < maxRetries) {
          const suggested = problem.retryAt ? problem.retryAt.getTime() - now().getTime() : 0;
          const backoff = Math.random() * base * 2 ** attempt;
          if (suggested <= 10_000) {
            await sleep(Math.max(backoff, suggested));
            attempt++;
            continue;
          }
        }
        throw new PartnerError(problem.code, problem.message, details);
      }
    },
  };
}
