import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDevPartnerEnv,
  getOAuth1Generation,
  type ResolvedPartner,
  resolvePartnerConfig,
} from '../config.js';
import { definePartner } from '../define-partner.js';
import { PartnerError } from '../errors.js';
import { submitConsent } from '../fake/consent.js';
import { fakeBodyParsers, type Listening, listen } from '../fake/http.js';
import { createFakeOAuth1Server, type FakeOAuth1Server } from '../fake/oauth1-server.js';
import { oauth1 } from '../oauth1-generation.js';
import { oauth1AccessToken, oauth1AuthorizeUrl, oauth1RequestToken, oauth1Sign } from './oauth1.js';

// A legacy-Withings-like OAuth 1.0a generation: query signing, userid in the access-token response.
const decl = definePartner({
  id: 'legacy',
  displayName: 'Legacy',
  apiUrl: 'https://wbsapi.legacy.example',
  docs: 'https://example.com',
  auth: {
    current: 'oauth1',
    generations: {
      oauth1: oauth1({
        requestTokenUrl: 'https://oauth.legacy.example/account/request_token',
        authorizeUrl: 'https://oauth.legacy.example/account/authorize',
        accessTokenUrl: 'https://oauth.legacy.example/account/access_token',
        signaturePlacement: 'query',
      }),
    },
  },
  capabilities: {},
  rateLimits: [],
});

const CALLBACK = 'http://127.0.0.1:1/v1/oauth/legacy/callback';
let server: Listening;
let fake: FakeOAuth1Server;
let resolved: ResolvedPartner;

beforeAll(async () => {
  fake = createFakeOAuth1Server({
    partner: 'legacy',
    consumerKey: 'ck',
    consumerSecret: 'cs&with specials',
    requestTokenPath: '/account/request_token',
    authorizePath: '/account/authorize',
    accessTokenPath: '/account/access_token',
    accessTokenFields: (userId) => ({ userid: userId }),
  });
  const app = express();
  app.use(...fakeBodyParsers());
  app.use(fake.router);
  app.all('/measure', (req, res) => {
    const auth = fake.authenticate(req);
    if (!auth.ok) {
      res.status(401).json({ reason: auth.reason, detail: auth.detail });
      return;
    }
    res.json({
      user: auth.userId,
      action: req.query.action ?? req.body?.action,
      note: req.query.note ?? req.body?.note,
    });
  });
  server = await listen(app);
  resolved = resolvePartnerConfig(
    decl,
    createDevPartnerEnv(decl, server.url, { clientId: 'ck', clientSecret: 'cs&with specials' }),
  );
});
afterAll(async () => {
  await server.close();
});

async function connect(user: string) {
  const temp = await oauth1RequestToken(resolved, 'oauth1', { callbackUrl: CALLBACK });
  const callback = await submitConsent(oauth1AuthorizeUrl(resolved, 'oauth1', temp.token), { user });
  expect(callback.searchParams.get('oauth_token')).toBe(temp.token);
  return oauth1AccessToken(resolved, 'oauth1', {
    token: temp.token,
    tokenSecret: temp.tokenSecret,
    verifier: callback.searchParams.get('oauth_verifier') ?? '',
  });
}

describe('OAuth 1.0a three-legged flow against the fake provider', () => {
  it('request token -> consent page -> access token with userid', async () => {
    const access = await connect('4711');
    expect(access.externalUserId).toBe('4711');
    expect(access.token).toMatch(/^[0-9a-f]{32}$/);
    expect(fake.tokenEndpointCalls()).toBeGreaterThanOrEqual(2);
  });

  it('signs API calls in the query and in the header, with special characters, and the verifier accepts both', async () => {
    const access = await connect('4712');
    const gen = getOAuth1Generation(resolved, 'oauth1');
    const url = `${server.url}/measure?action=getmeas&note=${encodeURIComponent("a b+c/d*e!'()")}`;
    const q = oauth1Sign(gen, { method: 'GET', url }, access, {}, 'query');
    const viaQuery = await fetch(q.url, { headers: q.headers });
    expect(await viaQuery.json()).toEqual({ user: '4712', action: 'getmeas', note: "a b+c/d*e!'()" });

    const h = oauth1Sign(
      gen,
      { method: 'POST', url: `${server.url}/measure`, form: { action: 'getmeas', note: 'x y' } },
      access,
      {},
      'header',
    );
    const viaHeader = await fetch(h.url, {
      method: 'POST',
      headers: h.headers,
      body: 'action=getmeas&note=x%20y',
    });
    expect(await viaHeader.json()).toEqual({ user: '4712', action: 'getmeas', note: 'x y' });
  });

  it('rejects a tampered signed URL, a replayed nonce and a revoked user', async () => {
    const access = await connect('4713');
    const gen = getOAuth1Generation(resolved, 'oauth1');
    const signed = oauth1Sign(
      gen,
      { method: 'GET', url: `${server.url}/measure?action=getmeas` },
      access,
      {},
      'query',
    );
    const tampered = await fetch(signed.url.replace('getmeas', 'getactivity'));
    expect(await tampered.json()).toMatchObject({ reason: 'bad_signature', detail: 'invalid signature' });
    const first = await fetch(signed.url);
    expect(first.status).toBe(200);
    const replay = await fetch(signed.url);
    expect(await replay.json()).toMatchObject({ detail: 'nonce already used' });
    fake.revokeUser('4713');
    const again = oauth1Sign(
      gen,
      { method: 'GET', url: `${server.url}/measure?action=getmeas` },
      access,
      {},
      'query',
    );
    expect(await (await fetch(again.url)).json()).toMatchObject({ reason: 'revoked' });
  });

  it('a wrong consumer secret or a wrong verifier is auth_revoked', async () => {
    const bad = resolvePartnerConfig(
      decl,
      createDevPartnerEnv(decl, server.url, { clientId: 'ck', clientSecret: 'wrong' }),
    );
    const e1 = await oauth1RequestToken(bad, 'oauth1', { callbackUrl: CALLBACK }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(PartnerError);
    expect((e1 as PartnerError).code).toBe('auth_revoked');

    const temp = await oauth1RequestToken(resolved, 'oauth1', { callbackUrl: CALLBACK });
    await submitConsent(oauth1AuthorizeUrl(resolved, 'oauth1', temp.token), { user: '1' });
    const e2 = await oauth1AccessToken(resolved, 'oauth1', { ...temp, verifier: 'guess' }).catch(
      (e: unknown) => e,
    );
    expect((e2 as PartnerError).code).toBe('auth_revoked');
    expect((e2 as PartnerError).message).not.toContain(temp.tokenSecret);
  });

  it('a denied consent redirects back without a verifier', async () => {
    const temp = await oauth1RequestToken(resolved, 'oauth1', { callbackUrl: CALLBACK });
    const callback = await submitConsent(oauth1AuthorizeUrl(resolved, 'oauth1', temp.token), {
      decision: 'deny',
    });
    expect(callback.searchParams.get('oauth_verifier')).toBeNull();
    expect(callback.searchParams.get('denied')).toBe(temp.token);
  });
});
