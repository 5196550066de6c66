import { problems } from '@healthsync/platform';
import { jwtVerify } from 'jose';
import { z } from 'zod';

const Claims = z.looseObject({ sub: z.string().min(1).max(128), role: z.string().optional() });

/**
 * The sync log is for services and operators only: `Authorization: Bearer <JWT>`, HS256 signed with
 * `AUTH_JWT_SECRET`, carrying `sub`, `exp` and `role: "service"` (the auth service's convention).
 * Returns a check that throws 401 without a valid token and 403 for another role.
 */
export function serviceCallerCheck(secret: string): (authorization: string | undefined) => Promise<string> {
  if (secret.length < 32) throw new RangeError('the JWT secret must be at least 32 characters');
  const key = new TextEncoder().encode(secret);
  return async (authorization) => {
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) throw problems.unauthorized();
    let role: string | undefined;
    let subject: string;
    try {
      const { payload } = await jwtVerify(match[1], key, {
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 30,
      });
      const claims = Claims.parse(payload);
      role = claims.role;
      subject = claims.sub;
    } catch {
      throw problems.unauthorized('The bearer token is invalid or expired');
    }
    if (role !== 'service') throw problems.forbidden('The sync log needs a service credential');
    return subject;
  };
}
