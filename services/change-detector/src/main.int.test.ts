import { fileURLToPath } from 'node:url';
import { migrateAppStore } from '@healthsync/app-store';
import {
  createTestDatabase,
  createTestVhost,
  freePort,
  startServiceProcess,
  type TestDatabase,
  type TestVhost,
} from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real process (`node --import tsx src/main.ts`) against the app's tables, with its own vhost.
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let database: TestDatabase;
let vhost: TestVhost;

beforeAll(async () => {
  [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  await migrateAppStore(database.db);
});
afterAll(async () => {
  await Promise.all([database?.drop(), vhost?.drop()]);
});

describe('change-detector process', () => {
  it('gets ready after its first run, then drains and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const service = await startServiceProcess(
      'change-detector',
      main,
      {
        DATABASE_URL: database.url,
        AMQP_URL: vhost.url,
        PORT: String(port),
        DETECT_INTERVAL_MS: '100',
        LOG_LEVEL: 'info',
      },
      { readyUrl: `http://127.0.0.1:${port}/readyz`, readyTimeoutMs: 60_000 },
    );
    expect(await service.stop()).toBe(0);
    expect(service.output()).toMatch(/"signal":"SIGTERM".*stopping after the current batch/);
    expect(service.output()).toContain('"msg":"stopped"');
  }, 90_000);
});
