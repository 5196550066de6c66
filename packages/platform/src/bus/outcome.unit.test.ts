import { describe, expect, it } from 'vitest';
import { EnvelopeParseError } from '../envelope.js';
import { backoffDelay } from './backoff.js';
import { describeError, failureOutcome } from './outcome.js';

const queue = { name: 'scheduler.events', retryDelaysMs: [1_000, 10_000, 60_000] };

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: { retryAt?: Date } = {},
  ) {
    super(message);
  }
}

describe('failureOutcome', () => {
  it.each(['transient', 'rate_limited'])(
    'retries %s through the first retry queue, then the next ones',
    (code) => {
      const first = failureOutcome(new CodedError(code, 'try later'), queue, 0);
      expect(first).toMatchObject({ kind: 'retry', retryQueue: 'scheduler.events.retry.1000ms', attempt: 1 });
      const third = failureOutcome(new CodedError(code, 'try later'), queue, 2);
      expect(third).toMatchObject({
        kind: 'retry',
        retryQueue: 'scheduler.events.retry.60000ms',
        attempt: 3,
      });
    },
  );

  it('dead-letters once every retry delay was used', () => {
    const outcome = failureOutcome(new CodedError('transient', 'still down'), queue, 3);
    expect(outcome).toEqual({ kind: 'dead', reason: 'gave up after 3 retries: transient: still down' });
  });

  it('treats an error without a known code as transient', () => {
    expect(failureOutcome(new Error('socket hang up'), queue, 0)).toMatchObject({
      kind: 'retry',
      attempt: 1,
    });
    expect(failureOutcome(new CodedError('ECONNRESET', 'reset'), queue, 0)).toMatchObject({ kind: 'retry' });
  });

  it.each(['invalid_data', 'not_found', 'conflict', 'auth_revoked'])('dead-letters %s at once', (code) => {
    expect(failureOutcome(new CodedError(code, 'no'), queue, 0)).toEqual({
      kind: 'dead',
      reason: `${code}: no`,
    });
  });

  it('dead-letters an envelope that fails to parse, with the reason', () => {
    const outcome = failureOutcome(
      new EnvelopeParseError('sync.due: payload.fence: expected number'),
      queue,
      0,
    );
    expect(outcome).toEqual({
      kind: 'dead',
      reason: 'invalid_data: sync.due: payload.fence: expected number',
    });
  });

  it('skips ahead to a delay long enough for a partner retryAt', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    const error = new CodedError('rate_limited', '429', { retryAt: new Date(now + 30_000) });
    expect(failureOutcome(error, queue, 0, now)).toMatchObject({
      retryQueue: 'scheduler.events.retry.60000ms',
      attempt: 3,
    });
  });
});

describe('describeError', () => {
  it('keeps the message, drops token-like strings and bounds the length', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
    const text = describeError(new CodedError('auth_revoked', `Access token expired: ${token}`));
    expect(text).toBe('auth_revoked: Access token expired: [redacted]');
    expect(describeError(new Error('Authorization: Bearer abc123'))).toBe('Authorization: Bearer [redacted]');
    expect(describeError(new Error('x'.repeat(2000).replace(/x/g, 'ab '))).length).toBeLessThanOrEqual(503);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, with jitter in [base/2, base]', () => {
    const opts = { initialMs: 100, maxMs: 1_000 };
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(3, opts, () => 1)).toBe(800);
    expect(backoffDelay(10, opts, () => 1)).toBe(1_000);
    expect(backoffDelay(100, opts, () => 0)).toBe(500);
  });
});
