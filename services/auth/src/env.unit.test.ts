import { randomBytes } from 'node:crypto';
import { createDevPartnerEnv } from '@healthsync/partner-kit';
import { declaration as withings } from '@healthsync/partner-withings/declaration';
import { EnvError } from '@healthsync/platform';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from './env.js';

const key = randomBytes(32).toString('base64');
const good = {
  AUTH_PUBLIC_URL: 'https://auth.example.com',
  AUTH_JWT_SECRET: 'x'.repeat(40),
  AUTH_ENCRYPTION_KEYS: `k1:${key}`,
  AUTH_ENCRYPTION_PRIMARY_KEY: 'k1',
  AUTH_RETURN_URL_ALLOWLIST: 'https://app.example.com',
  ...createDevPartnerEnv(withings, 'http://127.0.0.1:9001'),
};

describe('loadAuthConfig', () => {
  it('builds the key ring, allow-list, partners and settings from the environment', () => {
    const config = loadAuthConfig({ ...good, AUTH_REAUTH_AFTER_FAILURES: '5', AUTH_BUS_ENABLED: 'false' }, [
      withings,
    ]);
    expect(config.keyRing.primaryKeyId).toBe('k1');
    expect(config.partners.get('withings')?.resolved.generations.oauth1?.kind).toBe('oauth1');
    expect(config.settings.reauthAfterFailures).toBe(5);
    expect(config.env.AUTH_BUS_ENABLED).toBe(false);
    expect(config.env.PORT).toBe(8080);
  });

  it('reports every problem in one error, without secrets', () => {
    const shortKey = randomBytes(8).toString('base64');
    try {
      loadAuthConfig(
        {
          AUTH_PUBLIC_URL: 'not a url',
          AUTH_ENCRYPTION_KEYS: `k1:${shortKey}`,
          AUTH_ENCRYPTION_PRIMARY_KEY: 'k2',
          AUTH_RETURN_URL_ALLOWLIST: 'ftp://nope',
          AUTH_BUS_ENABLED: 'yes',
        },
        [withings],
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EnvError);
      const text = (e as EnvError).problems.join('\n');
      for (const expected of [
        'AUTH_PUBLIC_URL',
        'AUTH_BUS_ENABLED',
        '32 bytes',
        'primary key k2',
        'ftp://nope',
        'PARTNER_WITHINGS_CLIENT_ID',
      ])
        expect(text).toContain(expected);
      expect(text).not.toContain(shortKey);
    }
  });

  it('needs exactly one of a JWT secret and a JWKS URL', () => {
    const { AUTH_JWT_SECRET: _omit, ...noSecret } = good;
    expect(() => loadAuthConfig(noSecret, [withings])).toThrow(/AUTH_JWT_SECRET \(HS256\) or AUTH_JWKS_URL/);
    expect(() =>
      loadAuthConfig({ ...good, AUTH_JWKS_URL: 'https://id.example.com/jwks.json' }, [withings]),
    ).toThrow(/only one/);
    expect(() => loadAuthConfig({ ...good, AUTH_JWT_SECRET: 'short' }, [withings])).toThrow(/at least 32/);
  });

  it('reads the trusted proxies as a hop count or a list of addresses, subnets and named ranges', () => {
    const trust = (v?: string) =>
      loadAuthConfig({ ...good, ...(v === undefined ? {} : { AUTH_TRUST_PROXY: v }) }, [withings]).env
        .AUTH_TRUST_PROXY;
    expect(trust()).toBeUndefined();
    expect(trust('')).toBeUndefined();
    expect(trust('1')).toBe(1);
    expect(trust('loopback, 10.0.0.0/8,2001:db8::/32, 192.0.2.10')).toEqual([
      'loopback',
      '10.0.0.0/8',
      '2001:db8::/32',
      '192.0.2.10',
    ]);
    // `true` would trust any client's own X-Forwarded-For: refused, as are malformed entries.
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/2'])
      expect(() => trust(bad)).toThrow(/AUTH_TRUST_PROXY: not a hop count/);
  });
});
