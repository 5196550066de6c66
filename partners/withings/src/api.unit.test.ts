import type { PartnerResponse } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { api } from './api.js';
import getmeas from './fixtures/getmeas.json' with { type: 'json' };
import invalidToken from './fixtures/invalid-token.json' with { type: 'json' };

const res = (body: unknown): PartnerResponse => ({
  status: 200,
  headers: {},
  body,
  text: JSON.stringify(body),
});
const code = (status: number) => api.classify(res({ status, body: {} }))?.code;

describe('Withings classify (HTTP 200, status in the body)', () => {
  it('passes status 0', () => {
    expect(api.classify(res(getmeas))).toBeNull();
  });

  it('maps the authentication families, including the legacy OAuth 1.0a codes, to auth_revoked', () => {
    expect(api.classify(res(invalidToken))).toEqual({
      code: 'auth_revoked',
      message: 'status 401: XRequestID: Not provided invalid_token: The access token provided is invalid',
    });
    for (const s of [100, 101, 102, 200, 214, 277, 2553, 247, 249, 250, 342])
      expect(code(s)).toBe('auth_revoked');
  });

  it('maps 601 to rate_limited a minute later, 522 and "an error occurred" to transient', () => {
    const limited = api.classify(res({ status: 601, body: {}, error: 'Too many request' }));
    expect(limited?.code).toBe('rate_limited');
    expect(limited?.retryAt?.getTime()).toBeGreaterThan(Date.now() + 55_000);
    for (const s of [522, 524, 215, 2552, 5000]) expect(code(s)).toBe('transient');
  });

  it('maps invalid params and unknown actions to invalid_data', () => {
    for (const s of [201, 293, 286, 343, 503, 2554, 3017]) expect(code(s)).toBe('invalid_data');
  });

  it('treats an answer without the envelope as transient', () => {
    expect(api.classify(res('<html>Bad gateway</html>'))?.code).toBe('transient');
  });
});
