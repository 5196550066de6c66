import { describe, expect, it } from 'vitest';
import {
  checkPartnerConfig,
  createDevPartnerEnv,
  PartnerConfigError,
  partnerEnvVariables,
  resolvePartnerConfig,
  resolvePartnerConfigs,
} from './config.js';
import { definePartner, oauth2 } from './define-partner.js';
import { oauth1 } from './oauth1-generation.js';

const withings = definePartner({
  id: 'withings',
  displayName: 'Withings',
  apiUrl: 'https://wbsapi.withings.net',
  docs: 'https://developer.withings.com/api-reference',
  auth: {
    current: 'oauth2',
    generations: {
      oauth2: oauth2({
        authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
        tokenUrl: 'https://wbsapi.withings.net/v2/oauth2',
        scopes: ['user.metrics'],
        scopeSeparator: ',',
        refresh: 'rotating',
      }),
      oauth1: oauth1({
        requestTokenUrl: 'https://oauth.withings.com/account/request_token',
        authorizeUrl: 'https://oauth.withings.com/account/authorize',
        accessTokenUrl: 'https://oauth.withings.com/account/access_token',
        signaturePlacement: 'query',
      }),
    },
  },
  capabilities: { measurement: { poll: true, push: false, update: false, delete: false } },
  rateLimits: [{ scope: 'app', limit: 120, windowSeconds: 60, alignment: 'rolling' }],
});

describe('resolvePartnerConfig', () => {
  it('uses the declaration URLs by default and the PARTNER_<ID>_ variables when set', () => {
    const r = resolvePartnerConfig(withings, {
      PARTNER_WITHINGS_CLIENT_ID: 'cid',
      PARTNER_WITHINGS_CLIENT_SECRET: 'secret',
      PARTNER_WITHINGS_TOKEN_URL: 'http://127.0.0.1:9999/v2/oauth2/',
      PARTNER_WITHINGS_OAUTH1_AUTHORIZE_URL: 'http://127.0.0.1:9999/account/authorize',
      PARTNER_WITHINGS_OAUTH1_CLIENT_ID: 'legacy-key',
    });
    expect(r.clientId).toBe('cid');
    expect(r.apiUrl).toBe('https://wbsapi.withings.net');
    const o2 = r.generations.oauth2;
    const o1 = r.generations.oauth1;
    expect(o2?.kind === 'oauth2' && o2.tokenUrl).toBe('http://127.0.0.1:9999/v2/oauth2');
    expect(o2?.kind === 'oauth2' && o2.authorizeUrl).toBe(
      'https://account.withings.com/oauth2_user/authorize2',
    );
    expect(o1?.kind === 'oauth1' && o1.authorizeUrl).toBe('http://127.0.0.1:9999/account/authorize');
    expect(o1?.kind === 'oauth1' && o1.requestTokenUrl).toBe(
      'https://oauth.withings.com/account/request_token',
    );
    // A non-current generation has its own client id when set, else the partner's.
    expect(o1?.clientId).toBe('legacy-key');
    expect(o1?.clientSecret).toBe('secret');
    expect(o2?.isCurrent).toBe(true);
  });

  it('lists every missing variable at once, and checking does not throw', () => {
    expect(checkPartnerConfig(withings, {})).toEqual([
      'missing PARTNER_WITHINGS_CLIENT_ID, PARTNER_WITHINGS_CLIENT_SECRET',
    ]);
    expect(() => resolvePartnerConfig(withings, {})).toThrow(PartnerConfigError);
    expect(() => resolvePartnerConfig(withings, {})).toThrow(
      /PARTNER_WITHINGS_CLIENT_ID, PARTNER_WITHINGS_CLIENT_SECRET/,
    );
  });

  it('rejects invalid URLs by variable name', () => {
    const problems = checkPartnerConfig(withings, {
      PARTNER_WITHINGS_CLIENT_ID: 'a',
      PARTNER_WITHINGS_CLIENT_SECRET: 'b',
      PARTNER_WITHINGS_API_URL: 'not a url',
      PARTNER_WITHINGS_OAUTH1_ACCESS_TOKEN_URL: 'ftp://x/y',
    });
    expect(problems.sort()).toEqual([
      'PARTNER_WITHINGS_API_URL is not a valid URL',
      'PARTNER_WITHINGS_OAUTH1_ACCESS_TOKEN_URL must be an http(s) URL',
    ]);
  });

  it('resolves several partners and reports all their problems in one error', () => {
    const other = { ...withings, id: 'moves-app' };
    try {
      resolvePartnerConfigs([withings, other], { PARTNER_WITHINGS_CLIENT_ID: 'x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PartnerConfigError);
      expect(String(e)).toContain('withings: missing PARTNER_WITHINGS_CLIENT_SECRET');
      expect(String(e)).toContain(
        'moves-app: missing PARTNER_MOVES_APP_CLIENT_ID, PARTNER_MOVES_APP_CLIENT_SECRET',
      );
    }
  });

  it('createDevPartnerEnv points every URL at the fake, keeping the real paths', () => {
    const env = createDevPartnerEnv(withings, 'http://127.0.0.1:4010', { clientId: 'c', clientSecret: 's' });
    expect(env).toMatchObject({
      PARTNER_WITHINGS_API_URL: 'http://127.0.0.1:4010',
      PARTNER_WITHINGS_TOKEN_URL: 'http://127.0.0.1:4010/v2/oauth2',
      PARTNER_WITHINGS_AUTHORIZE_URL: 'http://127.0.0.1:4010/oauth2_user/authorize2',
      PARTNER_WITHINGS_OAUTH1_REQUEST_TOKEN_URL: 'http://127.0.0.1:4010/account/request_token',
    });
    const r = resolvePartnerConfig(withings, env);
    expect(r.clientSecret).toBe('s');
    expect(partnerEnvVariables(withings)).toContain('PARTNER_WITHINGS_OAUTH1_ACCESS_TOKEN_URL');
  });

  it('reads the webhook verify token and subscription id, and the dev env can set both', () => {
    const env = createDevPartnerEnv(withings, 'http://127.0.0.1:4010', {
      webhookVerifyToken: 'v',
      webhookSubscriptionId: '120475',
    });
    const r = resolvePartnerConfig(withings, env);
    expect(r.webhookVerifyToken).toBe('v');
    expect(r.webhookSubscriptionId).toBe('120475');
    expect(
      resolvePartnerConfig(withings, { ...env, PARTNER_WITHINGS_WEBHOOK_SUBSCRIPTION_ID: ' ' })
        .webhookSubscriptionId,
    ).toBeUndefined();
  });
});
