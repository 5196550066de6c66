import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, InvalidTokenError } from './caller.js';

// Client tokens from an identity provider that publishes its keys as a JWKS (over real HTTP).
const keys = await generateKeyPair('ES256');
const foreign = await generateKeyPair('ES256');
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  close = () => new Promise((r) => server.close(() => r()));
});
afterAll(async () => {
  await close?.();
});

const sign = (
  key: Parameters<SignJWT['sign']>[0],
  claims: Record<string, unknown>,
  options: { sub?: string; exp?: number; kid?: string; iss?: string } = {},
) => {
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'idp-1' })
    .setIssuedAt();
  if (options.sub !== undefined) jwt = jwt.setSubject(options.sub);
  if (options.iss) jwt = jwt.setIssuer(options.iss);
  if (options.exp !== 0) jwt = jwt.setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 300);
  return jwt.sign(key);
};

describe('JWKS client tokens', () => {
  it('accepts tokens signed by a published key; role service is honoured', async () => {
    const verify = createTokenVerifier({ jwksUrl: url, issuer: 'https://idp.example.com' });
    expect(
      await verify(await sign(keys.privateKey, {}, { sub: 'u-7', iss: 'https://idp.example.com' })),
    ).toEqual({ subject: 'u-7', role: 'user' });
    expect(
      await verify(
        await sign(keys.privateKey, { role: 'service' }, { sub: 'sync', iss: 'https://idp.example.com' }),
      ),
    ).toEqual({
      subject: 'sync',
      role: 'service',
    });
  });

  it('refuses a foreign key, a wrong issuer, no expiry and no subject', async () => {
    const verify = createTokenVerifier({ jwksUrl: url, issuer: 'https://idp.example.com' });
    const bad = [
      await sign(foreign.privateKey, {}, { sub: 'u', iss: 'https://idp.example.com' }),
      await sign(keys.privateKey, {}, { sub: 'u', iss: 'https://other.example.com' }),
      await sign(keys.privateKey, {}, { sub: 'u', iss: 'https://idp.example.com', exp: 0 }),
      await sign(keys.privateKey, {}, { iss: 'https://idp.example.com' }),
    ];
    for (const token of bad) await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses an HS256 token when keys come from a JWKS (no algorithm confusion)', async () => {
    const verify = createTokenVerifier({ jwksUrl: url });
    const hs = await new SignJWT({ role: 'service' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    await expect(verify(hs)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
