import { readFileSync } from 'node:fs';
import { createDevPartnerEnv } from '@healthsync/partner-kit';
import { declarations } from '@healthsync/partners/declarations';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { ROOT } from './support/processes.js';

/**
 * docker-compose.yml follows the partner URL convention of `createDevPartnerEnv`: each partner's
 * URLs keep the real paths on its fake's origin; the browser-facing authorize URLs name the port
 * the fake publishes on localhost, every server-side URL the fake's compose service.
 */
const Service = z.looseObject({
  command: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
});
const Compose = z.object({ services: z.record(z.string(), Service) });

const compose = Compose.parse(parse(readFileSync(`${ROOT}/docker-compose.yml`, 'utf8'), { merge: true }));

function expectedEnv(partner: string): Record<string, string> {
  const declaration = declarations.find((d) => d.id === partner)!;
  const fake = compose.services[`fake-${partner}`];
  const published = (fake?.ports ?? [])[0]?.split(':') ?? [];
  const [hostPort, containerPort] = [published[0], published[1]];
  if (!hostPort || !containerPort) throw new Error(`fake-${partner} publishes no port`);
  const env = createDevPartnerEnv(declaration, `http://fake-${partner}:${containerPort}`, {
    clientId: `healthsync-${partner}`,
    clientSecret: `healthsync-${partner}-secret`,
    ...(declaration.webhook ? { webhookVerifyToken: `verify-${partner}` } : {}),
  });
  for (const key of Object.keys(env))
    if (key.endsWith('_AUTHORIZE_URL'))
      env[key] = env[key]!.replace(`http://fake-${partner}:${containerPort}`, `http://localhost:${hostPort}`);
  return env;
}

describe('docker-compose.yml partner environment', () => {
  const nodeServices = Object.entries(compose.services).filter(
    ([name]) => ['auth', 'scheduler', 'change-detector'].includes(name) || name.startsWith('sync-worker-'),
  );

  it.each(declarations.map((d) => d.id))('%s: every service gets the createDevPartnerEnv URLs', (partner) => {
    const expected = expectedEnv(partner);
    for (const [name, service] of nodeServices) {
      const env = service.environment ?? {};
      for (const [key, value] of Object.entries(expected)) expect(env[key], `${name} ${key}`).toBe(value);
    }
    // The fake itself knows the same client credentials.
    const fakeEnv = compose.services[`fake-${partner}`]?.environment ?? {};
    const prefix = `PARTNER_${partner.toUpperCase()}_`;
    expect(fakeEnv[`${prefix}CLIENT_ID`]).toBe(expected[`${prefix}CLIENT_ID`]);
    expect(fakeEnv[`${prefix}CLIENT_SECRET`]).toBe(expected[`${prefix}CLIENT_SECRET`]);
  });

  it('sends the browser to localhost and servers to the compose services', () => {
    const auth = compose.services.auth?.environment ?? {};
    expect(auth.AUTH_PUBLIC_URL).toBe('http://localhost:8080');
    for (const [key, value] of Object.entries(auth).filter(([k]) => /^PARTNER_.*_URL$/.test(k))) {
      const host = new URL(value).hostname;
      expect(host, key).toBe(
        key.endsWith('_AUTHORIZE_URL') ? 'localhost' : `fake-${key.split('_')[1]!.toLowerCase()}`,
      );
    }
  });
});
