import type { PartnerResponse } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { rateLimitHeaders } from './api.js';

const date = 'Mon, 23 Nov 2026 08:41:20 GMT';
const response = (status: number, minute?: number, hour?: number): PartnerResponse => ({
  status,
  text: '',
  body: '',
  headers: {
    date,
    ...(minute !== undefined && {
      'x-ratelimit-minutelimit': '60',
      'x-ratelimit-minuteremaining': String(minute),
    }),
    ...(hour !== undefined && { 'x-ratelimit-hourlimit': '2000', 'x-ratelimit-hourremaining': String(hour) }),
  },
});

describe('rateLimitHeaders (X-RateLimit-*, windows reset at the top of the minute and hour)', () => {
  it('follows the scarcer window', () => {
    expect(rateLimitHeaders(response(200, 12, 1500))).toEqual({
      remaining: 12,
      resetAt: new Date('2026-11-23T08:42:00Z'),
    });
    expect(rateLimitHeaders(response(200, 40, 7))).toEqual({
      remaining: 7,
      resetAt: new Date('2026-11-23T09:00:00Z'),
    });
  });

  it('a spent minute waits for the next minute, a spent hour for the next hour', () => {
    expect(rateLimitHeaders(response(429, 0, 300))).toEqual({
      remaining: 0,
      resetAt: new Date('2026-11-23T08:42:00Z'),
    });
    expect(rateLimitHeaders(response(429, 0, 0))).toEqual({
      remaining: 0,
      resetAt: new Date('2026-11-23T09:00:00Z'),
    });
  });

  it('says nothing without the headers', () => {
    expect(rateLimitHeaders(response(200))).toBeNull();
  });
});
