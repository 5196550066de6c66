import { defineConfig } from 'vitest/config';

// Two tiers (CONVENTIONS.md): *.unit.test.ts has no I/O; *.int.test.ts talks to real PostgreSQL,
// RabbitMQ and partner fakes. Each integration file gets its own database and vhost, so files run
// in parallel.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{packages,partners,services}/*/src/**/*.unit.test.ts',
            'scripts/**/*.unit.test.ts',
            'test/**/*.unit.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'int',
          include: ['{packages,partners,services}/*/src/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['packages/platform/src/testing/global-setup.ts'],
        },
      },
    ],
  },
});
