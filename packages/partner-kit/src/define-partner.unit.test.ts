import { describe, expect, it } from 'vitest';
import { partnerEnvVariables, resolvePartnerConfig } from './config.js';
import { definePartner, definePartnerApi, oauth2, type PartnerApi } from './define-partner.js';
import { oauth1 } from './oauth1-generation.js';
import { statusEnvelope } from './status-envelope.js';

const generation = oauth2({
  authorizeUrl: 'https://www.acme.example/oauth/authorize',
  tokenUrl: 'https://www.acme.example/oauth/token',
  refresh: 'rotating',
});
const partner = { id: 'acme', displayName: 'Acme', apiUrl: 'https://api.acme.example', docs: 'x' } as const;
const acme = definePartner({ ...partner, auth: generation, capabilities: {}, rateLimits: [] });

describe('definePartner with one auth generation', () => {
  it('names the generation by its kind and makes it current', () => {
    expect(acme.auth).toEqual({ current: 'oauth2', generations: { oauth2: generation } });
    expect(acme.auth.generations.oauth2.tokenUrl).toBe('https://www.acme.example/oauth/token');
    const legacy = oauth1({
      requestTokenUrl: 'https://acme.example/request_token',
      authorizeUrl: 'https://acme.example/authorize',
      accessTokenUrl: 'https://acme.example/access_token',
    });
    expect(definePartner({ ...partner, auth: legacy, capabilities: {}, rateLimits: [] }).auth).toEqual({
      current: 'oauth1',
      generations: { oauth1: legacy },
    });
  });

  it('leaves generations given by name as they are', () => {
    const auth = { current: 'v2', generations: { v2: generation } } as const;
    expect(definePartner({ ...partner, auth, capabilities: {}, rateLimits: [] }).auth).toBe(auth);
  });

  it('is configured as the current generation: no generation name in its variables', () => {
    expect(partnerEnvVariables(acme)).toContain('PARTNER_ACME_TOKEN_URL');
    const resolved = resolvePartnerConfig(acme, {
      PARTNER_ACME_CLIENT_ID: 'id',
      PARTNER_ACME_CLIENT_SECRET: 'secret',
      PARTNER_ACME_TOKEN_URL: 'http://127.0.0.1:9/oauth/token',
    });
    expect(resolved.generations.oauth2).toMatchObject({
      kind: 'oauth2',
      tokenUrl: 'http://127.0.0.1:9/oauth/token',
      authorizeUrl: 'https://www.acme.example/oauth/authorize',
    });
  });
});

describe('definePartner with a list of auth generations', () => {
  const legacy = oauth1({
    requestTokenUrl: 'https://acme.example/request_token',
    authorizeUrl: 'https://acme.example/authorize',
    accessTokenUrl: 'https://acme.example/access_token',
  });
  const both = definePartner({ ...partner, auth: [generation, legacy], capabilities: {}, rateLimits: [] });

  it('names each generation by its kind and makes the first current', () => {
    expect(both.auth).toEqual({ current: 'oauth2', generations: { oauth2: generation, oauth1: legacy } });
    expect(both.auth.generations.oauth1.accessTokenUrl).toBe('https://acme.example/access_token');
    const older = definePartner({ ...partner, auth: [legacy, generation], capabilities: {}, rateLimits: [] });
    expect(older.auth.current).toBe('oauth1');
  });

  it('configures the others under their names', () => {
    const resolved = resolvePartnerConfig(both, {
      PARTNER_ACME_CLIENT_ID: 'id',
      PARTNER_ACME_CLIENT_SECRET: 'secret',
      PARTNER_ACME_OAUTH1_AUTHORIZE_URL: 'http://127.0.0.1:9/authorize',
    });
    expect(resolved.generations.oauth1).toMatchObject({
      kind: 'oauth1',
      authorizeUrl: 'http://127.0.0.1:9/authorize',
    });
    expect(resolved.generations.oauth2).toMatchObject({ tokenUrl: 'https://www.acme.example/oauth/token' });
  });

  it('refuses two generations of one kind: they need names', () => {
    const again = oauth2({ ...generation, tokenUrl: 'https://www.acme.example/oauth/token2' });
    expect(() =>
      definePartner({ ...partner, auth: [generation, again], capabilities: {}, rateLimits: [] }),
    ).toThrow(/acme: auth generations of one kind need names/);
  });
});

describe('definePartner with an answer envelope', () => {
  const envelope = statusEnvelope({
    paths: { status: 'status', body: 'body' },
    success: 0,
    families: { auth_revoked: '401', rate_limited: '601' },
  });
  const legacy = oauth1({
    requestTokenUrl: 'https://acme.example/request_token',
    authorizeUrl: 'https://acme.example/authorize',
    accessTokenUrl: 'https://acme.example/access_token',
  });
  const own = (raw: unknown) => raw;

  it("reads the OAuth 2.0 token responses with it, unless a generation adapts its own; OAuth 1.0a's are not touched", () => {
    const enveloped = definePartner({
      ...partner,
      auth: [generation, legacy],
      envelope,
      capabilities: {},
      rateLimits: [],
    });
    expect(enveloped.auth.generations.oauth2.adaptTokenResponse).toBe(envelope.tokens);
    expect(
      enveloped.auth.generations.oauth2.adaptTokenResponse({ status: 0, body: { access_token: 'a' } }),
    ).toMatchObject({
      access_token: 'a',
    });
    expect(enveloped.auth.generations.oauth1).toEqual(legacy);
    const adapted = definePartner({
      ...partner,
      auth: { ...generation, adaptTokenResponse: own },
      envelope,
      capabilities: {},
      rateLimits: [],
    });
    expect(adapted.auth.generations.oauth2.adaptTokenResponse).toBe(own);
  });

  it("classifies the API's answers with it unless the API classifies them", () => {
    const declaration = definePartner({
      ...partner,
      auth: generation,
      envelope,
      capabilities: {},
      rateLimits: [],
    });
    const api = definePartnerApi({ declaration, resources: {} });
    const answer = (body: unknown) => ({ status: 200, headers: {}, body, text: JSON.stringify(body) });
    expect(api.classify(answer({ status: 601 }))).toMatchObject({ code: 'rate_limited' });
    expect(api.classify(answer({ status: 0, body: {} }))).toBeNull();
    const mine = () => null;
    expect(definePartnerApi({ declaration, resources: {}, classify: mine }).classify).toBe(mine);
    const plain: PartnerApi = definePartnerApi({ declaration: acme, resources: {} });
    expect(plain.classify).toBeUndefined();
  });
});
