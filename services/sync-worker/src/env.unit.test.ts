import { EnvError } from '@healthsync/platform';
import { describe, expect, it } from 'vitest';
import { loadWorkerEnv } from './env.js';

const secret = 'x'.repeat(32);

describe('loadWorkerEnv', () => {
  it('reads a configured partner worker', () => {
    const env = loadWorkerEnv({
      PARTNER: 'fitbit',
      AUTH_JWT_SECRET: secret,
      PARTNER_FITBIT_CLIENT_ID: 'id',
      PARTNER_FITBIT_CLIENT_SECRET: 'secret',
      SYNC_CONCURRENCY: '4',
    });
    expect(env).toMatchObject({
      PARTNER: 'fitbit',
      SYNC_CONCURRENCY: 4,
      SYNC_MAX_PUSH_ATTEMPTS: 8,
      PORT: 8090,
    });
  });

  it('names every problem at once, including an unknown partner', () => {
    let error: unknown;
    try {
      loadWorkerEnv({ PARTNER: 'myspace', AUTH_JWT_SECRET: 'short', SYNC_CONCURRENCY: 'many' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const problems = (error as EnvError).problems.join('\n');
    expect(problems).toMatch(/AUTH_JWT_SECRET/);
    expect(problems).toMatch(/SYNC_CONCURRENCY/);
    expect(problems).toMatch(
      /"myspace" is not an installed partner \(withings, fitbit, runkeeper, moves, strava\)/,
    );
  });

  it('requires the partner client credentials', () => {
    expect(() => loadWorkerEnv({ PARTNER: 'strava', AUTH_JWT_SECRET: secret })).toThrow(
      /strava: missing PARTNER_STRAVA_CLIENT_ID, PARTNER_STRAVA_CLIENT_SECRET/,
    );
  });
});
