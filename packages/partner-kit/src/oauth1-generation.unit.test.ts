import { describe, expect, it } from 'vitest';
import { oauth1 } from './oauth1-generation.js';

const urls = {
  requestTokenUrl: 'https://a/request_token',
  authorizeUrl: 'https://a/authorize',
  accessTokenUrl: 'https://a/access_token',
} as const;

describe('oauth1 generation defaults', () => {
  it('fills HMAC-SHA1 and header placement, and keeps what the declaration names', () => {
    expect(oauth1(urls)).toEqual({
      kind: 'oauth1',
      ...urls,
      signatureMethod: 'HMAC-SHA1',
      signaturePlacement: 'header',
    });
    const own = oauth1({ ...urls, signaturePlacement: 'query', externalUserId: (r) => r.userid });
    expect(own.signaturePlacement).toBe('query');
    expect(own.externalUserId({ userid: '12345' })).toBe('12345');
  });
});
