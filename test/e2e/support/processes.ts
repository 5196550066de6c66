import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root: services are started from there, as `npm start` does. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports (for a program that takes a base port); returns the first. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portIsFree(p);
    if (ok) return base;
  }
  throw new Error(`no range of ${count} free ports found`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Poll `probe` until it returns something other than undefined (errors count as "not yet"), or
 * fail after `timeoutMs` with `what` and whatever `diagnostics` says about the state of things.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; diagnostics?: () => string | Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const extra = options.diagnostics ? await options.diagnostics() : '';
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what}${cause}\n${extra}`,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/** One service (or script) run as its own Node process with tsx, its output kept for diagnostics. */
export class NodeProcess {
  readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private partial = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
    options: { args?: readonly string[]; keepLines?: number; onLine?: (line: string) => void } = {},
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = options.keepLines ?? 400;
    const onData = (chunk: Buffer) => {
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        if (this.lines.length > keep) this.lines.shift();
        options.onLine?.(line);
      }
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything printed so far (the last `keepLines` lines). */
  output(): string {
    return [...this.lines, this.partial].join('\n');
  }

  tail(lines = 40): string {
    return `--- ${this.name} (${this.running ? 'running' : `exited ${this.child.exitCode ?? this.child.signalCode}`}) ---\n${this.lines.slice(-lines).join('\n')}`;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Wait until `url` (a `/readyz`) answers 200; fails at once when the process exits. */
export async function waitReady(proc: NodeProcess, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running) throw new Error(`${proc.name} exited before it was ready:\n${proc.tail(60)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${proc.name} was not ready at ${url} after ${timeoutMs} ms:\n${proc.tail(60)}`);
    await sleep(300);
  }
}
