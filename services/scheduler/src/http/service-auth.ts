import { problems } from '@healthsync/platform';
import type { RequestHandler } from 'express';
import { jwtVerify } from 'jose';
import { z } from 'zod';

/**
 * The admin API is for services and operators only: `Authorization: Bearer <JWT>`, HS256 signed
 * with `AUTH_JWT_SECRET`, carrying `sub`, `exp` and `role: "service"` (the auth service's
 * convention). 401 without a valid token, 403 for a valid token of another role.
 */
const Claims = z.looseObject({ sub: z.string().min(1).max(128), role: z.string().optional() });

export interface ServiceCaller {
  readonly subject: string;
  readonly role: string;
}

export type ServiceTokenVerifier = (token: string) => Promise<ServiceCaller | undefined>;

export function createServiceTokenVerifier(secret: string): ServiceTokenVerifier {
  if (secret.length < 32) throw new RangeError('the JWT secret must be at least 32 characters');
  const key = new TextEncoder().encode(secret);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 30,
      });
      const claims = Claims.safeParse(payload);
      return claims.success ? { subject: claims.data.sub, role: claims.data.role ?? 'user' } : undefined;
    } catch {
      return undefined;
    }
  };
}

export function requireService(verify: ServiceTokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(req.get('authorization') ?? '');
    const caller = match?.[1] ? await verify(match[1]) : undefined;
    if (!caller) {
      res.setHeader('www-authenticate', match ? 'Bearer error="invalid_token"' : 'Bearer');
      throw problems.unauthorized(match ? 'The bearer token is invalid or expired' : undefined);
    }
    if (caller.role !== 'service') throw problems.forbidden('The admin API needs a service credential');
    res.locals.caller = caller;
    next();
  };
}

export function callerSubject(locals: Record<string, unknown>): string {
  const caller = locals.caller as ServiceCaller | undefined;
  return caller?.subject ?? 'unknown';
}
