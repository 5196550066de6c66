import { PartnerError } from '@healthsync/partner-kit';
import { SignJWT } from 'jose';
import { z } from 'zod';

/** What the auth service's internal credentials API returns (DESIGN.md §5). */
export const WorkerCredentials = z.object({
  accessToken: z.string().min(1),
  tokenSecret: z.string().optional(),
  expiresAt: z.string().nullish(),
  generation: z.string().min(1),
  externalUserId: z.string().nullish(),
});
export type WorkerCredentials = z.infer<typeof WorkerCredentials>;

export interface CredentialsClient {
  /** Usable credentials; `force` asks auth to refresh (after the partner answered 401). */
  get(partner: string, userId: string, options?: { force?: boolean }): Promise<WorkerCredentials>;
}

/**
 * Client of `POST /internal/v1/credentials/{partner}/{userId}`, authenticated with a short-lived
 * service-role JWT. Credentials are cached in memory until shortly before they expire, so a
 * busy worker does not ask auth for every sync; tokens never leave this process's memory.
 */
export function createCredentialsClient(options: {
  authUrl: string;
  jwtSecret: string;
  serviceName: string;
  fetch?: typeof fetch;
  now?: () => number;
}): CredentialsClient {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const key = new TextEncoder().encode(options.jwtSecret);
  let token: { value: string; expires: number } | undefined;
  const cache = new Map<string, { creds: WorkerCredentials; until: number }>();

  const serviceToken = async () => {
    if (token && token.expires - 60_000 > now()) return token.value;
    const expires = now() + 15 * 60_000;
    const value = await new SignJWT({ role: 'service' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(options.serviceName)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expires / 1000))
      .sign(key);
    token = { value, expires };
    return value;
  };

  return {
    async get(partner, userId, { force = false } = {}) {
      const cacheKey = `${partner}:${userId}`;
      const hit = cache.get(cacheKey);
      if (!force && hit && hit.until > now()) return hit.creds;
      let res: Response;
      try {
        res = await doFetch(
          new URL(
            `/internal/v1/credentials/${encodeURIComponent(partner)}/${encodeURIComponent(userId)}`,
            options.authUrl,
          ),
          {
            method: 'POST',
            headers: { authorization: `Bearer ${await serviceToken()}`, 'content-type': 'application/json' },
            body: JSON.stringify(force ? { force: true } : {}),
            signal: AbortSignal.timeout(15_000),
          },
        );
      } catch (e) {
        throw new PartnerError(
          'transient',
          `auth service unreachable: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      if (!res.ok) {
        const problem = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
        const message =
          `auth service answered ${res.status} ${problem.code ?? ''}: ${problem.detail ?? ''}`.trim();
        if (res.status === 404) throw new PartnerError('auth_revoked', `no credentials: ${message}`);
        if (res.status === 409 || problem.code === 'auth_revoked' || problem.code === 'needs_reauth')
          throw new PartnerError('auth_revoked', message);
        if (res.status === 429)
          throw new PartnerError('rate_limited', message, { retryAt: new Date(now() + 60_000) });
        throw new PartnerError('transient', message);
      }
      const parsed = WorkerCredentials.safeParse(await res.json());
      if (!parsed.success) throw new PartnerError('transient', 'auth service sent malformed credentials');
      const creds = parsed.data;
      const expiresAt = creds.expiresAt ? Date.parse(creds.expiresAt) : Number.POSITIVE_INFINITY;
      cache.set(cacheKey, { creds, until: Math.min(expiresAt - 120_000, now() + 30 * 60_000) });
      return creds;
    },
  };
}
