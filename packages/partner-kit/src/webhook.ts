import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataKind } from '@healthsync/contracts';
import type { z } from 'zod';
import type {
  WebhookContext,
  WebhookNotification,
  WebhookRequest,
  WebhookResponse,
} from './define-partner.js';

/** Declarative webhook helpers for the common shapes (signature headers, JSON and form bodies). */

/** Constant-time equality of two strings (signatures, verify tokens). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface HmacSignatureSpec {
  /** The request header that carries the signature (lower case). */
  readonly header: string;
  readonly algorithm: 'sha1' | 'sha256';
  readonly encoding: 'base64' | 'hex';
  /** The HMAC key from the context (Fitbit: `${clientSecret}&`; default: the client secret). */
  readonly key?: (ctx: WebhookContext) => string;
  /** Headers whose values are signed after the raw body, in order (Moves: timestamp, nonce). */
  readonly alsoSigned?: readonly string[];
}

/** The signature a spec expects over a body (and the extra signed values). */
export function hmacSignature(
  spec: HmacSignatureSpec,
  key: string,
  rawBody: Buffer,
  extra: readonly string[] = [],
) {
  const mac = createHmac(spec.algorithm, key).update(rawBody);
  for (const value of extra) mac.update(value);
  return mac.digest(spec.encoding);
}

/** A `verify` for a POST signed with an HMAC over the raw body in one header. */
export function verifyHmacHeader(spec: HmacSignatureSpec) {
  return (req: WebhookRequest, ctx: WebhookContext): boolean => {
    const given = req.headers[spec.header];
    const extra = (spec.alsoSigned ?? []).map((h) => req.headers[h]);
    if (req.method !== 'POST' || !given || extra.some((v) => !v)) return false;
    const key = spec.key ? spec.key(ctx) : ctx.clientSecret;
    return sameText(given, hmacSignature(spec, key, req.rawBody, extra as string[]));
  };
}

/** The raw body as JSON parsed with a schema; undefined when it is not JSON or does not match. */
export function readJsonBody<S extends z.ZodType>(req: WebhookRequest, schema: S): z.output<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(req.rawBody.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A form body merged over the query (some partners move fields between the two), parsed with a schema. */
export function readFormWithQuery<S extends z.ZodType>(
  req: WebhookRequest,
  schema: S,
): z.output<S> | undefined {
  const form = Object.fromEntries(new URLSearchParams(req.rawBody.toString('utf8')));
  const parsed = schema.safeParse({ ...req.query, ...form });
  return parsed.success ? parsed.data : undefined;
}

/**
 * Batched notifications (one entry per user and collection, naming a `kind` or several `kinds`)
 * -> one notification per user with every kind named and `revoked` when any entry says so.
 */
export function notificationsByUser(
  entries: readonly {
    externalUserId: string;
    kind?: DataKind | undefined;
    kinds?: readonly DataKind[];
    revoked?: boolean;
  }[],
): WebhookNotification[] {
  const byUser = new Map<string, { kinds: Set<DataKind>; revoked: boolean }>();
  for (const e of entries) {
    const entry = byUser.get(e.externalUserId) ?? { kinds: new Set<DataKind>(), revoked: false };
    if (e.kind) entry.kinds.add(e.kind);
    for (const k of e.kinds ?? []) entry.kinds.add(k);
    if (e.revoked) entry.revoked = true;
    byUser.set(e.externalUserId, entry);
  }
  return [...byUser].map(([externalUserId, e]) => ({
    externalUserId,
    kinds: [...e.kinds],
    ...(e.revoked ? { revoked: true } : {}),
  }));
}

/**
 * An HMAC signature header, once: `verify` for the declaration's webhook, `sign` (keyed from the
 * client secret as `verify` keys it) for the partner's fake and tests.
 */
export function hmacHeader(spec: HmacSignatureSpec) {
  return {
    verify: verifyHmacHeader(spec),
    sign: (clientSecret: string, rawBody: Buffer, extra: readonly string[] = []): string =>
      hmacSignature(spec, spec.key ? spec.key({ clientSecret }) : clientSecret, rawBody, extra),
  };
}

/**
 * The WebSub-style subscription handshake (`GET ?hub.mode=subscribe&hub.challenge=X&hub.verify_token=T`):
 * the challenge echoed (as text, or as JSON `{"hub.challenge": X}` for Strava) when the verify
 * token is the configured one, 403 otherwise; null for a request that is not a handshake.
 */
export function hubChallenge(echo: 'text' | 'json') {
  return (req: WebhookRequest, ctx: WebhookContext): WebhookResponse | null => {
    if (req.method !== 'GET' || req.query['hub.mode'] === undefined) return null;
    const challenge = req.query['hub.challenge'];
    const token = req.query['hub.verify_token'] ?? '';
    const ok =
      req.query['hub.mode'] === 'subscribe' &&
      challenge &&
      ctx.verifyToken &&
      sameText(token, ctx.verifyToken);
    if (!ok) return { status: 403 };
    return echo === 'json'
      ? { status: 200, body: { 'hub.challenge': challenge } }
      : { status: 200, body: challenge, contentType: 'text/plain' };
  };
}

/**
 * A subscriber-verification handshake by code: a GET carrying the configured verify token in
 * `param` (`?verify=<code>`) is answered `ok`, any other GET `fail` (Fitbit: 204 / 404); other
 * requests are not handshakes.
 */
export function verifyCode(param: string, status: { readonly ok: number; readonly fail: number }) {
  return (req: WebhookRequest, ctx: WebhookContext): WebhookResponse | null => {
    if (req.method !== 'GET') return null;
    const ok = ctx.verifyToken !== undefined && sameText(req.query[param] ?? '', ctx.verifyToken);
    return { status: ok ? status.ok : status.fail };
  };
}
