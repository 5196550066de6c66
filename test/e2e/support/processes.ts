import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ServiceProcess, type ServiceProcessOptions } from '@healthsync/platform/testing';

export { freePort, sleep, until } from '@healthsync/platform/testing';

/** The repository root: services are started from there, as `npm start` does. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

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

/** One service (or script) run as its own Node process from the repository root. */
export class NodeProcess extends ServiceProcess {
  constructor(
    name: string,
    script: string,
    env: Record<string, string>,
    options: Omit<ServiceProcessOptions, 'cwd'> = {},
  ) {
    super(name, script, env, { ...options, cwd: ROOT });
  }
}
