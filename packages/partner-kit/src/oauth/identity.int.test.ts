import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevPartnerEnv, type ResolvedPartner, resolvePartnerConfig } from '../config.js';
import type { IdentitySpec } from '../define-partner.js';
import { PartnerError } from '../errors.js';
import { type Listening, listen } from '../fake/http.js';
import { testPartner } from '../testing/test-partner.js';
import { oauth2FetchExternalUserId } from './identity.js';

const TOKEN = 'identity-token-0123456789abcdef';

function declaration(identity?: IdentitySpec) {
  return testPartner('acme', {
    apiUrl: 'https://api.acme.example/v1',
    oauth2: { refresh: 'none', ...(identity ? { identity } : {}) },
  });
}

let server: Listening;
const resolve = (identity?: IdentitySpec): ResolvedPartner => {
  const d = declaration(identity);
  return resolvePartnerConfig(d, createDevPartnerEnv(d, server.url));
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a PartnerError');
    },
    (e: unknown) => {
      if (e instanceof PartnerError) return e;
      throw e;
    },
  );

beforeAll(async () => {
  const app = express();
  app.get('/v1/user', (req, res) => {
    if (req.get('authorization') !== `Bearer ${TOKEN}`) return void res.status(401).send('no');
    if (req.get('accept') !== 'application/vnd.acme.User+json') return void res.status(415).send('type');
    res.type('application/vnd.acme.User+json').send(JSON.stringify({ userID: 31337, profile: '/profile' }));
  });
  app.get('/v1/me', (_req, res) => void res.json({ athlete: { id: 'a-7' } }));
  app.get('/v1/down', (_req, res) => void res.status(503).set('retry-after', '30').send('down'));
  server = await listen(app);
});
afterAll(async () => {
  await server.close();
});

describe('oauth2FetchExternalUserId', () => {
  it('reads the declared field with the access token and the declared media type', async () => {
    const r = resolve({ path: '/user', field: 'userID', accept: 'application/vnd.acme.User+json' });
    expect(await oauth2FetchExternalUserId(r, 'oauth2', TOKEN)).toBe('31337');
    expect(
      await oauth2FetchExternalUserId(resolve({ path: 'me', field: 'athlete.id' }), 'oauth2', TOKEN),
    ).toBe('a-7');
  });

  it('is undefined without a declared identity endpoint', async () => {
    expect(await oauth2FetchExternalUserId(resolve(), 'oauth2', TOKEN)).toBeUndefined();
  });

  it('classifies failures and never echoes the token', async () => {
    const spec = { path: '/user', field: 'userID', accept: 'application/vnd.acme.User+json' };
    const revoked = await failure(oauth2FetchExternalUserId(resolve(spec), 'oauth2', 'wrong-token'));
    expect(revoked.code).toBe('auth_revoked');
    const down = await failure(
      oauth2FetchExternalUserId(resolve({ path: '/down', field: 'x' }), 'oauth2', TOKEN),
    );
    expect(down.code).toBe('transient');
    expect(down.details.retryAt).toBeInstanceOf(Date);
    const missing = await failure(
      oauth2FetchExternalUserId(resolve({ ...spec, field: 'nope' }), 'oauth2', TOKEN),
    );
    expect(missing.code).toBe('invalid_data');
    for (const e of [revoked, down, missing]) expect(e.message).not.toContain(TOKEN);
  });
});
