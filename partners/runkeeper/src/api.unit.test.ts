import type { PartnerResponse } from '@healthsync/partner-kit';
import { describe, expect, it } from 'vitest';
import { api } from './api.js';

const response = (status: number, text: string, headers: Record<string, string> = {}): PartnerResponse => ({
  status,
  text,
  body: text,
  headers,
});
const date = 'Mon, 23 Nov 2026 08:00:00 GMT';
const { rateLimitHeaders } = api;

describe('rateLimitHeaders (RunKeeper names the wait in a 429 text body)', () => {
  it('reads the wait, counted from the response date', () => {
    expect(
      rateLimitHeaders(response(429, 'Rate limit exceeded for user. Try again in 15 minutes.', { date })),
    ).toEqual({
      remaining: 0,
      resetAt: new Date('2026-11-23T08:15:00Z'),
    });
    expect(rateLimitHeaders(response(429, 'Too many requests; retry in 1 day', { date }))?.resetAt).toEqual(
      new Date('2026-11-24T08:00:00Z'),
    );
    expect(rateLimitHeaders(response(429, 'Try again in 30 seconds', { date }))?.resetAt).toEqual(
      new Date('2026-11-23T08:00:30Z'),
    );
  });

  it('waits 15 minutes when the 429 names no wait', () => {
    expect(rateLimitHeaders(response(429, 'Rate limit exceeded', { date }))?.resetAt).toEqual(
      new Date('2026-11-23T08:15:00Z'),
    );
  });

  it('says nothing about other responses', () => {
    expect(rateLimitHeaders(response(200, '{}', { date }))).toBeNull();
    expect(
      rateLimitHeaders(response(503, 'Service Unavailable. Try again in 5 minutes', { date })),
    ).toBeNull();
  });
});
