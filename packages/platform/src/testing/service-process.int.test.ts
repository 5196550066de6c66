import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ServiceProcess, startServiceProcess, until } from './service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'service-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A service in miniature: ready on /readyz, drains and exits 0 on SIGTERM.
const serviceScript = join(dir, 'service.ts');
writeFileSync(
  serviceScript,
  `import { createServer } from 'node:http';
const server = createServer((req, res) => res.writeHead(req.url === '/readyz' ? 200 : 404).end());
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.once('SIGTERM', () => server.close(() => { console.log('drained ' + process.env.GREETING); process.exit(0); }));
`,
);
const failingScript = join(dir, 'failing.ts');
writeFileSync(failingScript, `console.error('missing configuration'); process.exit(78);\n`);

describe('ServiceProcess', () => {
  it('starts a script, waits for /readyz, and reports a graceful drain on stop', async () => {
    const port = await freePort();
    const proc = await startServiceProcess(
      'mini',
      serviceScript,
      { PORT: String(port), GREETING: 'hello' },
      { readyUrl: `http://127.0.0.1:${port}/readyz`, readyTimeoutMs: 30_000 },
    );
    expect(proc.running).toBe(true);
    await until('the listening line', () => (proc.output().includes('listening') ? true : undefined));
    expect(await proc.stop()).toBe(0);
    expect(proc.running).toBe(false);
    expect(proc.output()).toContain('drained hello');
  }, 40_000);

  it('fails at once when the process exits before it is ready, with its output', async () => {
    const port = await freePort();
    await expect(
      startServiceProcess('failing', failingScript, {}, { readyUrl: `http://127.0.0.1:${port}/readyz` }),
    ).rejects.toThrow(/failing exited before it was ready:[\s\S]*missing configuration/);
  }, 40_000);

  it('returns null from stop when the process ignores SIGTERM and has to be killed', async () => {
    const stubborn = join(dir, 'stubborn.ts');
    writeFileSync(
      stubborn,
      `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);\n`,
    );
    const proc = new ServiceProcess('stubborn', stubborn, {});
    await until('the up line', () => (proc.output().includes('up') ? true : undefined), {
      timeoutMs: 30_000,
    });
    expect(await proc.stop(300)).toBeNull();
  }, 40_000);
});

describe('until', () => {
  it('names what it waited for and adds the diagnostics when it times out', async () => {
    await expect(
      until('never', () => undefined, { timeoutMs: 100, intervalMs: 20, diagnostics: () => 'state: idle' }),
    ).rejects.toThrow(/waiting for never\nstate: idle/);
  });
});
