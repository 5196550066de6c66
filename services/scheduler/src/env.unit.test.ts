import { EnvError } from '@healthsync/platform';
import { describe, expect, it } from 'vitest';
import { contextOptionsFromEnv, loadSchedulerEnv } from './env.js';

const SECRET = 'x'.repeat(32);

describe('scheduler environment', () => {
  it('has defaults for everything but the JWT secret', () => {
    const env = loadSchedulerEnv({ AUTH_JWT_SECRET: SECRET });
    expect(env).toMatchObject({
      PORT: 8081,
      SCHEDULER_POLICY: 'seed-groups',
      SCHEDULER_GROUPS: [5, 20, 60],
      SCHEDULER_DISPATCH: true,
    });
    expect(contextOptionsFromEnv(env).groups).toEqual({
      groupsMinutes: [5, 20, 60],
      minuteMs: 60_000,
      demoteAfterMs: 21 * 24 * 3600_000,
    });
  });

  it('reports every invalid variable at once', () => {
    let error: unknown;
    try {
      loadSchedulerEnv({ SCHEDULER_GROUPS: '20,5', SCHEDULER_POLICY: 'random', SCHEDULER_DISPATCH: 'yes' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const problems = (error as EnvError).problems.join('\n');
    for (const v of ['AUTH_JWT_SECRET', 'SCHEDULER_GROUPS', 'SCHEDULER_POLICY', 'SCHEDULER_DISPATCH'])
      expect(problems).toContain(v);
  });

  it('takes groups and intervals from the environment', () => {
    const env = loadSchedulerEnv({
      AUTH_JWT_SECRET: SECRET,
      SCHEDULER_GROUPS: '1, 5,20,60',
      SCHEDULER_POLICY: 'activity-hours',
      SCHEDULER_LEASE_MS: '1000',
    });
    const options = contextOptionsFromEnv(env);
    expect(options.groups?.groupsMinutes).toEqual([1, 5, 20, 60]);
    expect(options.policy).toBe('activity-hours');
    expect(options.config?.leaseMs).toBe(1000);
  });
});
