import { problems } from '@healthsync/platform';
import type { RequestHandler, Response } from 'express';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';

/**
 * Callers present `Authorization: Bearer <JWT>` issued by the app's backend (DESIGN.md §5):
 * `sub` is the user id; `role: "service"` may act for any user (sync workers, the backend).
 * HS256 with a shared secret, or asymmetric keys from a JWKS URL. Tokens must carry `exp`.
 */
export interface Caller {
  readonly subject: string;
  readonly role: 'user' | 'service';
}

export type TokenVerifier = (token: string) => Promise<Caller>;

export interface TokenVerifierOptions {
  readonly secret?: string;
  readonly jwksUrl?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Verified tokens remembered until they expire (default 10,000; 0 disables). */
  readonly cacheSize?: number;
}

const Claims = z.looseObject({
  exp: z.number().optional(),
  sub: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[^\p{Cc}]+$/u),
  role: z.string().optional(),
});

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const common = {
    requiredClaims: ['exp', 'sub'],
    clockTolerance: 30,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
  };
  let verify: (token: string) => Promise<unknown>;
  if (options.jwksUrl) {
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(options.jwksUrl));
    verify = async (token) =>
      (await jwtVerify(token, jwks, { ...common, algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] })).payload;
  } else if (options.secret) {
    const key = new TextEncoder().encode(options.secret);
    verify = async (token) => (await jwtVerify(token, key, { ...common, algorithms: ['HS256'] })).payload;
  } else {
    throw new TypeError('a JWT secret or a JWKS URL is required');
  }
  // Sync workers send the same token for minutes: a verified token is remembered until it
  // expires (bounded, oldest first out), so the signature is checked once, not per request.
  const verified = new Map<string, { caller: Caller; expiresAtMs: number }>();
  const maxCached = options.cacheSize ?? 10_000;
  return async (token) => {
    const hit = verified.get(token);
    if (hit && hit.expiresAtMs > Date.now()) return hit.caller;
    if (hit) verified.delete(token);
    let payload: unknown;
    try {
      payload = await verify(token);
    } catch {
      throw new InvalidTokenError('invalid or expired token');
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new InvalidTokenError('token has no usable subject');
    const caller: Caller = {
      subject: claims.data.sub,
      role: claims.data.role === 'service' ? 'service' : 'user',
    };
    if (maxCached > 0 && typeof claims.data.exp === 'number') {
      if (verified.size >= maxCached) {
        const oldest = verified.keys().next();
        if (!oldest.done) verified.delete(oldest.value);
      }
      verified.set(token, { caller, expiresAtMs: claims.data.exp * 1000 });
    }
    return caller;
  };
}

/** Verifies the bearer token and keeps the caller in `res.locals.caller`; 401 without a valid one. */
export function requireCaller(verify: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      res.setHeader('www-authenticate', 'Bearer');
      throw problems.unauthorized();
    }
    try {
      res.locals.caller = await verify(match[1]);
    } catch {
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      throw problems.unauthorized('The bearer token is invalid or expired');
    }
    next();
  };
}

export function callerOf(res: Response): Caller {
  const caller: unknown = res.locals.caller;
  if (!caller || typeof caller !== 'object') throw problems.unauthorized();
  return caller as Caller;
}

/** A user reaches only their own connections; a service reaches everyone's. */
export function assertActsFor(res: Response, userId: string): Caller {
  const caller = callerOf(res);
  if (caller.role !== 'service' && caller.subject !== userId)
    throw problems.forbidden('You may only act on your own connections');
  return caller;
}

export function assertService(res: Response): Caller {
  const caller = callerOf(res);
  if (caller.role !== 'service') throw problems.forbidden('Only services may read credentials');
  return caller;
}
