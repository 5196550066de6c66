import { describe, expect, it } from 'vitest';
import type { PartnerResponse } from '../define-partner.js';
import { headerInt, responseTime, scarcestWindow } from './rate-headers.js';

const res = (headers: Record<string, string>): PartnerResponse => ({
  status: 200,
  headers,
  body: '',
  text: '',
});

describe('rate-limit headers', () => {
  const now = new Date('2026-11-23T08:41:20Z');

  it('picks the scarcest clock-aligned window and its next boundary; a tie waits for the longer', () => {
    expect(
      scarcestWindow(
        [
          { remaining: 12, windowSeconds: 60 },
          { remaining: 1500, windowSeconds: 3600 },
        ],
        now,
      ),
    ).toEqual({ remaining: 12, resetAt: new Date('2026-11-23T08:42:00Z') });
    expect(
      scarcestWindow(
        [
          { remaining: 0, windowSeconds: 900 },
          { remaining: -3, windowSeconds: 86_400 },
        ],
        now,
      ),
    ).toEqual({ remaining: 0, resetAt: new Date('2026-11-24T00:00:00Z') });
    expect(scarcestWindow([], now)).toBeNull();
  });

  it('reads integer headers and the response time', () => {
    expect(headerInt(res({ 'x-left': ' 42 ' }), 'X-Left')).toBe(42);
    expect(headerInt(res({ 'x-left': '4.2' }), 'x-left')).toBeUndefined();
    expect(headerInt(res({}), 'x-left')).toBeUndefined();
    expect(responseTime(res({ date: 'Mon, 23 Nov 2026 08:41:20 GMT' }))).toEqual(now);
    expect(responseTime(res({ date: 'soon' }), () => now)).toEqual(now);
  });
});
