import { describe, expect, it } from 'vitest';
import { oauth2 } from './define-partner.js';
import { tokenUserId } from './token-user.js';

describe('tokenUserId', () => {
  it('reads an integer id at a dot path, as a number or a string of digits', () => {
    const athlete = tokenUserId('athlete.id');
    expect(athlete({ access_token: 'a', athlete: { id: 227615 } })).toBe('227615');
    expect(athlete({ athlete: { id: '227615' } })).toBe('227615');
    expect(tokenUserId('userid')({ userid: 23138311640030064 })).toBe('23138311640030064');
  });

  it('is undefined for an absent, null or malformed integer id', () => {
    const athlete = tokenUserId('athlete.id');
    for (const response of [
      {},
      { athlete: null },
      { athlete: { id: null } },
      { athlete: { id: -1 } },
      { athlete: { id: 1.5 } },
      { athlete: { id: 'abc' } },
      { athlete: { id: '' } },
      { athlete: 'id' },
    ])
      expect(athlete(response)).toBeUndefined();
  });

  it('reads a text id as it is, refusing blanks and non-strings', () => {
    const user = tokenUserId('user_id', 'text');
    expect(user({ user_id: '2XYZ7B' })).toBe('2XYZ7B');
    expect(user({ user_id: '  ' })).toBeUndefined();
    expect(user({ user_id: 12 })).toBeUndefined();
  });
});

describe('oauth2() with externalUserId as a path', () => {
  const urls = { authorizeUrl: 'https://a/authorize', tokenUrl: 'https://a/token', refresh: 'none' } as const;

  it('reads the integer id at the path of the token response', () => {
    const gen = oauth2({ ...urls, externalUserId: 'athlete.id' });
    expect(gen.externalUserId({ access_token: 'a', athlete: { id: 227615 } })).toBe('227615');
    expect(gen.externalUserId({ access_token: 'a' })).toBeUndefined();
    expect(gen.kind).toBe('oauth2');
  });

  it('keeps a computed externalUserId as it is, and leaves it out when not given', () => {
    const gen = oauth2({ ...urls, externalUserId: (t) => (t.user_id === 'A1' ? 'A1' : undefined) });
    expect(gen.externalUserId({ user_id: 'A1' })).toBe('A1');
    expect('externalUserId' in oauth2(urls)).toBe(false);
  });
});
