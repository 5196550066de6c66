import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from '@healthsync/platform';
import {
  createTestDatabase,
  createTestVhost,
  type TestDatabase,
  type TestVhost,
} from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange, NodeProcess } from './support/processes.js';

/**
 * `npm start` for a short while: `scripts/platform.ts --duration-seconds 40 --users 3` on a fresh
 * database and vhost, on free ports. It must start everything, connect the demo users through the
 * partners' OAuth consent pages, show syncs happening, and stop cleanly on its own.
 */
const DURATION_SECONDS = 40;
const USERS = 3;

let database: TestDatabase;
let vhost: TestVhost;
let logDir: string;
let runner: NodeProcess;
let exitCode: number | null;
let elapsedMs: number;

beforeAll(async () => {
  [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  logDir = mkdtempSync(join(tmpdir(), 'healthsync-start-'));
  const [base, fakeBase] = [await freePortRange(20), await freePortRange(10)];
  const started = Date.now();
  runner = new NodeProcess(
    'npm start',
    'scripts/platform.ts',
    {
      DATABASE_URL: database.url,
      AMQP_URL: vhost.url,
      HEALTHSYNC_BASE_PORT: String(base),
      HEALTHSYNC_FAKE_BASE_PORT: String(fakeBase),
      HEALTHSYNC_LOG_DIR: logDir,
    },
    { args: ['--duration-seconds', String(DURATION_SECONDS), '--users', String(USERS)], keepLines: 2_000 },
  );
  const timer = setTimeout(() => runner.child.kill('SIGTERM'), 280_000);
  exitCode = await runner.exited;
  clearTimeout(timer);
  elapsedMs = Date.now() - started;
}, 300_000);

afterAll(async () => {
  await runner?.stop();
  rmSync(logDir, { recursive: true, force: true });
  await Promise.all([vhost?.drop(), database?.drop()]);
}, 60_000);

describe('npm start (scripts/platform.ts)', () => {
  it('starts every service, says where to look, and stops by itself after --duration-seconds', () => {
    const out = runner.output();
    expect(out, out).toMatch(/Healthsync is running/);
    for (const where of ['demo app', 'auth API', 'scheduler', 'metrics', 'fakes', 'logs'])
      expect(out).toContain(where);
    expect(out).toMatch(new RegExp(`stopping after ${DURATION_SECONDS} s`));
    expect(exitCode, out).toBe(0);
    // One log file per process: auth, scheduler, change-detector and a worker per partner.
    expect(readdirSync(logDir).sort()).toEqual(
      [
        'auth',
        'change-detector',
        'scheduler',
        'sync-worker.fitbit',
        'sync-worker.moves',
        'sync-worker.runkeeper',
        'sync-worker.strava',
        'sync-worker.withings',
      ].map((n) => `${n}.log`),
    );
    console.log(`npm start ran ${(elapsedMs / 1000).toFixed(1)} s in all (${DURATION_SECONDS} s of demo)`);
  });

  it('connects the demo users through the OAuth consent pages', async () => {
    const out = runner.output();
    const demo = /demo: (\d+) users .*, (\d+) of (\d+) connections made/.exec(out);
    expect(demo, out).not.toBeNull();
    const [, users, made, attempted] = demo!.map(Number);
    expect(users).toBe(USERS);
    expect(made).toBeGreaterThan(0);
    expect(made).toBe(attempted);
    // The connections are real: auth holds them, with credentials.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from auth.connections where status = 'connected'`.execute(database.db);
    expect(rows[0]?.n).toBe(made);
  });

  it('shows syncs happening and partner data arriving', () => {
    const out = runner.output();
    const progress = [...out.matchAll(/syncs (\d+) \(([\d.]+)\/s.*\| items polled (\d+), pushed (\d+)/g)];
    expect(progress.length, out).toBeGreaterThan(3);
    const lastLine = progress.at(-1)!;
    expect(Number(lastLine[1])).toBeGreaterThan(0);
    expect(Number(lastLine[3])).toBeGreaterThan(0);
    expect(out).toMatch(/groups 5:\d+/);
  });
});
