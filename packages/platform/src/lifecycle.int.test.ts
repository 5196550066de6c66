import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ServiceProcess, until } from './testing/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lifecycle = fileURLToPath(new URL('./lifecycle.ts', import.meta.url));
const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));

/** A service whose drain takes 300 ms (and fails when DRAIN_FAILS is set), after loading its env. */
function service(): string {
  const script = join(dir, `service-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    script,
    `import { loadEnvOrExit, onShutdown } from ${JSON.stringify(lifecycle)};
import { EnvError } from ${JSON.stringify(fileURLToPath(new URL('./env.ts', import.meta.url)))};
import { createLogger } from ${JSON.stringify(logger)};
const env = loadEnvOrExit(() => {
  if (!process.env.NAME) throw new EnvError(['NAME is required']);
  return { name: process.env.NAME };
});
const logger = createLogger(env.name, 'info');
const keepAlive = setInterval(() => {}, 1000);
let drains = 0;
onShutdown({ logger, message: 'draining the queue' }, async () => {
  drains++;
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(keepAlive);
  if (process.env.DRAIN_FAILS) throw new Error('broker gone');
  console.log('drains=' + drains);
});
logger.info('started');
`,
  );
  return script;
}

async function started(env: Record<string, string>): Promise<ServiceProcess> {
  const proc = new ServiceProcess('svc', service(), env);
  await until('the started line', () => (proc.output().includes('"started"') ? true : undefined), {
    timeoutMs: 30_000,
    diagnostics: () => proc.tail(),
  });
  return proc;
}

describe('onShutdown', () => {
  it('drains once on SIGTERM, ignoring a second signal, logs stopped and exits 0', async () => {
    const proc = await started({ NAME: 'svc' });
    proc.child.kill('SIGTERM');
    await until('the drain', () => (proc.output().includes('draining the queue') ? true : undefined));
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    const out = proc.output();
    expect(out).toMatch(/"signal":"SIGTERM".*"msg":"draining the queue"/);
    expect(out).toContain('drains=1');
    expect(out).toContain('"msg":"stopped"');
  }, 40_000);

  it('exits 1 and says so when the drain fails', async () => {
    const proc = await started({ NAME: 'svc', DRAIN_FAILS: '1' });
    expect(await proc.stop()).toBe(1);
    expect(proc.output()).toMatch(/"err":"broker gone".*"msg":"shutdown failed"/);
    expect(proc.output()).not.toContain('"msg":"stopped"');
  }, 40_000);
});

describe('loadEnvOrExit', () => {
  it('prints a configuration error and exits 78', async () => {
    const proc = new ServiceProcess('svc', service(), {});
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toContain('NAME is required');
  }, 40_000);
});
