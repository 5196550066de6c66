import { isIP } from 'node:net';
import { PartnerConfigError, type PartnerDeclaration } from '@healthsync/partner-kit';
import { baseEnv, EnvError, envBoolean, envInt } from '@healthsync/platform';
import { z } from 'zod';
import { type AuthSettings, defaultSettings } from './context.js';
import { type KeyRing, KeyRingError, parseKeyRing } from './crypto/key-ring.js';
import type { TokenVerifierOptions } from './http/caller.js';
import { type InstalledPartners, installPartners } from './partners.js';
import { parseReturnUrlAllowList, type ReturnUrlAllowList, ReturnUrlConfigError } from './return-url.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

export const AuthEnv = baseEnv.extend({
  PORT: envInt(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Public base URL of this service, as partners and browsers reach it. */
  AUTH_PUBLIC_URL: z.url(),
  /** HS256 secret of client JWTs, or... */
  AUTH_JWT_SECRET: optional,
  /** ...a JWKS URL for asymmetric ones. */
  AUTH_JWKS_URL: optional,
  AUTH_JWT_ISSUER: optional,
  AUTH_JWT_AUDIENCE: optional,
  /** `kid:base64key,kid2:base64key` (32-byte AES-256 keys). */
  AUTH_ENCRYPTION_KEYS: z.string().min(1),
  /** The key id new values are sealed with; the others are decrypt-only until `rewrap` ran. */
  AUTH_ENCRYPTION_PRIMARY_KEY: z.string().min(1),
  /** Comma-separated origins or URL prefixes that `returnUrl` may point to. */
  AUTH_RETURN_URL_ALLOWLIST: z.string().min(1),
  AUTH_RATE_LIMIT_PER_MINUTE: envInt(600),
  /**
   * The proxies in front of the service, whose `X-Forwarded-For` names the client (the address the
   * public rate limit counts and the logs show): a number of hops (`1`: one load balancer), or
   * comma-separated addresses, subnets (`10.0.0.0/8`) and `loopback` / `linklocal` /
   * `uniquelocal`. Unset: none, the socket's address is the client.
   */
  AUTH_TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v?.trim() ?? '';
      if (value === '') return undefined;
      if (/^\d+$/.test(value)) return Number(value);
      const entries = value.split(',').map((e) => e.trim());
      const bad = entries.filter((e) => !isProxyEntry(e));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `AUTH_TRUST_PROXY: not a hop count, address, subnet or loopback/linklocal/uniquelocal: ${bad.join(', ')}`,
        });
        return z.NEVER;
      }
      return entries;
    }),
  AUTH_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'AUTH_BODY_LIMIT is like 64kb')
    .default('64kb'),
  AUTH_REFRESH_SKEW_SECONDS: envInt(defaultSettings.refreshSkewMs / 1000),
  AUTH_REAUTH_AFTER_FAILURES: envInt(defaultSettings.reauthAfterFailures),
  AUTH_IDLE_REFRESH_AFTER_DAYS: envInt(30),
  /** Minutes between in-process idle refresh sweeps; 0 leaves sweeping to the CLI. */
  AUTH_SWEEP_INTERVAL_MINUTES: envInt(60),
  /** Consume `connection.needs-reauth` and relay the outbox (false: HTTP only). */
  AUTH_BUS_ENABLED: envBoolean(true),
});
export type AuthEnv = z.infer<typeof AuthEnv>;

/** An entry of `AUTH_TRUST_PROXY`'s list: a named range, an address, or an address/prefix. */
function isProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export interface AuthConfig {
  readonly env: AuthEnv;
  readonly keyRing: KeyRing;
  readonly returnUrls: ReturnUrlAllowList;
  readonly partners: InstalledPartners;
  readonly verifier: TokenVerifierOptions;
  readonly settings: Partial<AuthSettings>;
}

/**
 * Parse the environment once (CONVENTIONS.md): the variables, the key ring, the return-URL
 * allow-list, the JWT choice and every installed partner's `PARTNER_<ID>_*` settings, with every
 * problem reported in one EnvError. Secrets never appear in the messages.
 */
export function loadAuthConfig(
  source: NodeJS.ProcessEnv,
  declarations: readonly PartnerDeclaration[],
): AuthConfig {
  const problems: string[] = [];
  const parsed = AuthEnv.safeParse(source);
  if (!parsed.success)
    problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const attempt = <T>(fn: () => T, kinds: (new (...a: never[]) => Error)[]): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (kinds.some((k) => e instanceof k)) {
        problems.push(
          e instanceof PartnerConfigError ? `partners: ${e.problems.join('; ')}` : (e as Error).message,
        );
        return undefined;
      }
      throw e;
    }
  };
  const keyRing = attempt(
    () => parseKeyRing(source.AUTH_ENCRYPTION_KEYS ?? '', source.AUTH_ENCRYPTION_PRIMARY_KEY ?? ''),
    [KeyRingError],
  );
  const returnUrls = attempt(
    () => parseReturnUrlAllowList(source.AUTH_RETURN_URL_ALLOWLIST ?? ''),
    [ReturnUrlConfigError],
  );
  const partners = attempt(() => installPartners(declarations, source), [PartnerConfigError]);
  const env = parsed.data;
  if (env) {
    if (!env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL)
      problems.push('set AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL');
    if (env.AUTH_JWT_SECRET && env.AUTH_JWKS_URL)
      problems.push('set only one of AUTH_JWT_SECRET and AUTH_JWKS_URL');
    if (env.AUTH_JWT_SECRET && env.AUTH_JWT_SECRET.length < 32)
      problems.push('AUTH_JWT_SECRET must be at least 32 characters');
    if (env.AUTH_REAUTH_AFTER_FAILURES < 1) problems.push('AUTH_REAUTH_AFTER_FAILURES must be at least 1');
  }
  if (problems.length > 0 || !env || !keyRing || !returnUrls || !partners) throw new EnvError(problems);
  return {
    env,
    keyRing,
    returnUrls,
    partners,
    verifier: {
      ...(env.AUTH_JWT_SECRET ? { secret: env.AUTH_JWT_SECRET } : {}),
      ...(env.AUTH_JWKS_URL ? { jwksUrl: env.AUTH_JWKS_URL } : {}),
      ...(env.AUTH_JWT_ISSUER ? { issuer: env.AUTH_JWT_ISSUER } : {}),
      ...(env.AUTH_JWT_AUDIENCE ? { audience: env.AUTH_JWT_AUDIENCE } : {}),
    },
    settings: {
      refreshSkewMs: env.AUTH_REFRESH_SKEW_SECONDS * 1000,
      reauthAfterFailures: env.AUTH_REAUTH_AFTER_FAILURES,
      idleRefreshAfterMs: env.AUTH_IDLE_REFRESH_AFTER_DAYS * 24 * 3600_000,
    },
  };
}
