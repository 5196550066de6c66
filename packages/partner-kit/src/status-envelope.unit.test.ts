import { describe, expect, it } from 'vitest';
import { statusEnvelope } from './status-envelope.js';

const ACME = statusEnvelope({
  paths: { status: 'status', body: 'body', error: 'error' },
  success: 0,
  families: { auth_revoked: '100-102,401', rate_limited: '601', invalid_data: '200-299' },
  fallback: 'transient',
  retryAfterSeconds: 60,
});
const answer = (body: unknown) => ({ status: 200, body });

describe('statusEnvelope', () => {
  it('classifies API answers by the status in the body, with the error text', () => {
    expect(ACME.classify(answer({ status: 0, body: {} }))).toBeNull();
    expect(ACME.classify(answer({ status: 101, error: 'invalid token' }))).toEqual({
      code: 'auth_revoked',
      message: 'status 101: invalid token',
    });
    expect(ACME.classify(answer({ status: 250 }))?.code).toBe('invalid_data');
    expect(ACME.classify(answer({ status: 522 }))?.code).toBe('transient');
    expect(ACME.classify(answer({ nothing: true }))?.code).toBe('transient');
  });

  it('dates a rate-limited status retryAfterSeconds ahead', () => {
    const before = Date.now();
    const limited = ACME.classify(answer({ status: 601 }));
    expect(limited?.code).toBe('rate_limited');
    const wait = (limited?.retryAt?.getTime() ?? 0) - before;
    expect(wait).toBeGreaterThanOrEqual(60_000);
    expect(wait).toBeLessThan(61_000);
  });

  it('unwraps the token response on success, and names the RFC 6749 error of a failure', () => {
    expect(ACME.tokens({ status: 0, body: { access_token: 'a', userid: 5 } })).toEqual({
      access_token: 'a',
      userid: 5,
    });
    expect(ACME.tokens({ status: 401 })).toEqual({
      error: 'invalid_grant',
      error_description: 'status 401',
    });
    expect(ACME.tokens({ status: 601 })).toMatchObject({ error: 'slow_down' });
    expect(ACME.tokens({})).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('exposes the status families it reads', () => {
    expect([0, 100, 601, 250, 9999].map(ACME.codes)).toEqual([
      null,
      'auth_revoked',
      'rate_limited',
      'invalid_data',
      'transient',
    ]);
  });

  it('takes any other status for transient unless told otherwise', () => {
    const spec = { paths: { status: 'status', body: 'body' }, success: 0 } as const;
    const plain = statusEnvelope({ ...spec, families: { auth_revoked: '401' } });
    expect([0, 401, 250].map(plain.codes)).toEqual([null, 'auth_revoked', 'transient']);
    expect(plain.classify(answer({ status: 250 }))?.code).toBe('transient');
    const strict = statusEnvelope({ ...spec, families: { auth_revoked: '401' }, fallback: 'invalid_data' });
    expect(strict.codes(250)).toBe('invalid_data');
  });
});
