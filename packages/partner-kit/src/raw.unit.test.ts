import { describe, expect, it } from 'vitest';
import { can, oauth2 } from './define-partner.js';
import {
  activityTypeOf,
  bodyStatusClassifier,
  bodyStatusTokens,
  codeTable,
  RawId,
  rawNumber,
  rawText,
  statusFamilies,
  titleOf,
} from './raw.js';

describe('raw partner fields', () => {
  it('ids: numbers (also above 2^53) and digit strings as decimal strings; nothing else', () => {
    expect(RawId.parse(42)).toBe('42');
    expect(RawId.parse('0042')).toBe('0042');
    expect(RawId.parse(23138311640030064)).toBe('23138311640030064');
    for (const bad of [-1, 1.5, '12a', '', null]) expect(RawId.safeParse(bad).success).toBe(false);
  });

  it('optional numbers and texts may be absent or null, never of another type', () => {
    expect(rawNumber.parse(null)).toBeNull();
    expect(rawNumber.parse(undefined)).toBeUndefined();
    expect(rawNumber.safeParse(Number.POSITIVE_INFINITY).success).toBe(false);
    expect(rawText.safeParse(3).success).toBe(false);
  });

  it('activity labels as types and names', () => {
    expect(activityTypeOf('Mountain Biking')).toBe('mountain_biking');
    expect(activityTypeOf('Cross-Country Skiing')).toBe('cross_country_skiing');
    expect(titleOf('weight_training')).toBe('Weight training');
    expect(titleOf('running')).toBe('Running');
  });
});

describe('statusFamilies', () => {
  const classify = statusFamilies(
    { auth_revoked: '100-102,200,401', rate_limited: '601', invalid_data: '201-213,2554' },
    { success: 0, fallback: 'transient' },
  );

  it('names the family of a status, the fallback for others, null for success', () => {
    expect(classify(0)).toBeNull();
    expect([100, 101, 102, 200, 401].map(classify)).toEqual(Array(5).fill('auth_revoked'));
    expect(classify(601)).toBe('rate_limited');
    expect([201, 207, 213, 2554].map(classify)).toEqual(Array(4).fill('invalid_data'));
    expect([103, 214, 522, 2555].map(classify)).toEqual(Array(4).fill('transient'));
  });
});

describe('codeTable', () => {
  const sports = codeTable(
    { Run: 'running', TrailRun: 'running', Ride: 'cycling' },
    { app: 'other', partner: 'Workout' },
  );
  const meals = codeTable(
    { 1: 'breakfast', 2: 'snack', 3: 'lunch', 4: 'snack' },
    { app: 'other', partner: '7', send: { snack: '4' } },
  );

  it('reads codes, unknown or absent ones as the fallback', () => {
    expect(sports.toApp('TrailRun')).toBe('running');
    expect([sports.toApp('Kitesurf'), sports.toApp(undefined), sports.toApp(null)]).toEqual([
      'other',
      'other',
      'other',
    ]);
    expect(meals.toApp(3)).toBe('lunch');
    expect(sports.toApp('constructor')).toBe('other');
  });

  it('writes the first code listed for a value, or the one `send` names, else the fallback', () => {
    expect(sports.fromApp('running')).toBe('Run');
    expect(sports.fromApp('yoga')).toBe('Workout');
    expect(meals.fromApp('snack')).toBe('4');
    expect(meals.fromApp('breakfast')).toBe('1');
    expect(meals.fromApp('other')).toBe('7');
  });
});

describe('can', () => {
  it('declares a kind capability from the operations it supports', () => {
    expect(can('poll')).toEqual({ poll: true, push: false, update: false, delete: false });
    expect(can('poll', 'push', 'delete')).toEqual({ poll: true, push: true, update: false, delete: true });
  });
});

describe('bodyStatusClassifier', () => {
  const classify = bodyStatusClassifier({
    status: 'status',
    error: 'error',
    codes: statusFamilies(
      { auth_revoked: '401', rate_limited: '601' },
      { success: 0, fallback: 'transient' },
    ),
    retryAfterSeconds: 60,
  });
  const res = (body: unknown) => ({ status: 200, body });

  it('reads the status in the body: success, a family with the error text, a dated rate limit', () => {
    expect(classify(res({ status: 0, body: {} }))).toBeNull();
    expect(classify(res({ status: 401, error: 'invalid_token:\n  expired' }))).toEqual({
      code: 'auth_revoked',
      message: 'status 401: invalid_token: expired',
    });
    const limited = classify(res({ status: 601 }));
    expect(limited).toMatchObject({ code: 'rate_limited', message: 'status 601' });
    expect(limited && 'retryAt' in limited && limited.retryAt.getTime()).toBeGreaterThan(Date.now() + 55_000);
  });

  it('an answer without a readable status is transient', () => {
    expect(classify(res('<html>Bad gateway</html>'))).toEqual({
      code: 'transient',
      message: 'answered without a status (HTTP 200)',
    });
    expect(classify(res({ status: '0' }))?.code).toBe('transient');
    // An HTTP error without the envelope is left to the kit's classification by HTTP status.
    expect(classify({ status: 400, body: '<html>Bad request</html>' })).toBeNull();
    expect(classify({ status: 400, body: { status: 601 } })?.code).toBe('rate_limited');
  });
});

describe('oauth2 generation defaults', () => {
  it('fills the plain choices and keeps what the declaration names', () => {
    const plain = oauth2({
      authorizeUrl: 'https://a/authorize',
      tokenUrl: 'https://a/token',
      refresh: 'none',
    });
    expect(plain).toEqual({
      kind: 'oauth2',
      authorizeUrl: 'https://a/authorize',
      tokenUrl: 'https://a/token',
      refresh: 'none',
      scopes: [],
      scopeSeparator: ' ',
      pkce: false,
      clientAuth: 'body',
    });
    const own = oauth2({
      authorizeUrl: 'https://b/authorize',
      tokenUrl: 'https://b/token',
      refresh: 'rotating',
      scopes: ['read', 'write'],
      scopeSeparator: ',',
      pkce: true,
      clientAuth: 'basic',
    });
    expect(own).toMatchObject({
      scopes: ['read', 'write'],
      scopeSeparator: ',',
      pkce: true,
      clientAuth: 'basic',
    });
  });
});

describe('bodyStatusTokens', () => {
  const adapt = bodyStatusTokens({
    status: 'status',
    body: 'body',
    codes: statusFamilies(
      { auth_revoked: '401', rate_limited: '601' },
      { success: 0, fallback: 'transient' },
    ),
  });

  it('unwraps the token response on success and says failures the RFC 6749 way', () => {
    expect(adapt({ status: 0, body: { access_token: 'a', userid: 1 } })).toEqual({
      access_token: 'a',
      userid: 1,
    });
    expect(adapt({ status: 401, body: {} })).toEqual({
      error: 'invalid_grant',
      error_description: 'status 401',
    });
    expect(adapt({ status: 601 })).toMatchObject({ error: 'slow_down' });
    expect(adapt({ status: 522 })).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('an answer without a status is temporarily_unavailable (transient to the OAuth client)', () => {
    expect(adapt('<html>')).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'answered without a status',
    });
  });
});
