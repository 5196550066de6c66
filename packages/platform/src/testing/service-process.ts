import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface UntilOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Appended to the timeout error, e.g. the tail of a process's output. */
  diagnostics?: () => string | Promise<string>;
}

/**
 * Poll `probe` until it returns something other than undefined (errors count as "not yet"), or
 * fail after `timeoutMs` with `what` and whatever `diagnostics` says about the state of things.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: UntilOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
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
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}\n${extra}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

export interface ServiceProcessOptions {
  /** Arguments after the script. */
  args?: readonly string[];
  /** Working directory (default: this process's). */
  cwd?: string;
  /** How many lines of output to keep (default 400; `Infinity` keeps all). */
  keepLines?: number;
  onLine?: (line: string) => void;
}

/**
 * A service's entry point (or any script) run as its own Node process with tsx
 * (`node --import tsx <script>`), stdout and stderr kept for assertions and diagnostics.
 * Its environment is `env` alone, plus PATH and HOME when `env` does not set them.
 */
export class ServiceProcess {
  readonly child: ChildProcess;
  /** The exit code once the process has exited (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string | undefined>,
    options: ServiceProcessOptions = {},
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
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
    const state = this.running ? 'running' : `exited ${this.child.exitCode ?? this.child.signalCode}`;
    return `--- ${this.name} (${state}) ---\n${[...this.lines, this.partial].slice(-lines).join('\n')}`;
  }

  /** Wait until `url` (a `/readyz`) answers 200; fails at once when the process exits. */
  async waitReady(url: string, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.tail(60)}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${this.name} was not ready at ${url} after ${timeoutMs} ms:\n${this.tail(60)}`);
      await sleep(300);
    }
  }

  /**
   * SIGTERM (a graceful drain), then SIGKILL if it has not exited within `graceMs`.
   * Returns the exit code: 0 when the process drained and exited by itself, null when it was killed.
   */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Start `script` as a {@link ServiceProcess} and wait until `readyUrl` answers 200. */
export async function startServiceProcess(
  name: string,
  script: string,
  env: Record<string, string | undefined>,
  options: ServiceProcessOptions & { readyUrl: string; readyTimeoutMs?: number },
): Promise<ServiceProcess> {
  const proc = new ServiceProcess(name, script, env, options);
  try {
    await proc.waitReady(options.readyUrl, options.readyTimeoutMs);
  } catch (e) {
    if (proc.running) proc.child.kill('SIGKILL');
    throw e;
  }
  return proc;
}
