import type { PartnerResponse } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { classify } from './api.js';

const response = (status: number, text: string, headers: Record<string, string> = {}): PartnerResponse => ({
  status,
  text,
  body: text,
  headers,
});
const date = 'Mon, 23 Nov 2026 08:00:00 GMT';

describe('classify', () => {
  it('reads the wait a 429 text body names, counted from the response date', () => {
    const out = classify(response(429, 'Rate limit exceeded for user. Try again in 15 minutes.', { date }));
    expect(out).toMatchObject({ code: 'rate_limited', retryAt: new Date('2026-11-23T08:15:00Z') });
    expect(classify(response(429, 'Too many requests; retry in 1 day', { date }))?.retryAt).toEqual(
      new Date('2026-11-24T08:00:00Z'),
    );
    expect(classify(response(429, 'Try again in 30 seconds', { date }))?.retryAt).toEqual(
      new Date('2026-11-23T08:00:30Z'),
    );
  });

  it('falls back to 15 minutes when a 429 names no wait', () => {
    expect(classify(response(429, 'Rate limit exceeded', { date }))?.retryAt).toEqual(
      new Date('2026-11-23T08:15:00Z'),
    );
  });

  it('treats a refused media type or body as invalid data and leaves the rest to the kit', () => {
    expect(classify(response(415, 'Unsupported Media Type'))?.code).toBe('invalid_data');
    expect(classify(response(406, 'Not Acceptable'))?.code).toBe('invalid_data');
    expect(classify(response(200, '{}'))).toBeNull();
    expect(classify(response(503, 'Service Unavailable'))).toBeNull();
  });
});
