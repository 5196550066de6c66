import { randomBytes } from 'node:crypto';
import { freePort, NodeProcess } from './processes.js';

/** A service process and the base URL of its HTTP port. */
export interface Running {
  readonly name: string;
  readonly url: string;
  readonly proc: NodeProcess;
}

export interface StackOptions {
  readonly databaseUrl: string;
  readonly amqpUrl: string;
  readonly jwtSecret: string;
  /** `PARTNER_<ID>_*` of every installed partner (auth needs them all, each worker its own). */
  readonly partnerEnv: Readonly<Record<string, string>>;
  /** One sync-worker per partner listed here. */
  readonly workers: readonly string[];
  readonly returnUrlAllowList: string;
  /** Added to every process (telemetry, log level). */
  readonly commonEnv?: Readonly<Record<string, string>>;
  readonly schedulerEnv?: Readonly<Record<string, string>>;
  readonly detectorEnv?: Readonly<Record<string, string>>;
  readonly workerEnv?: Readonly<Record<string, string>>;
}

export interface Stack {
  readonly auth: Running;
  readonly scheduler: Running;
  readonly detector: Running;
  readonly workers: Readonly<Record<string, Running>>;
  readonly all: readonly Running[];
  /** The last lines of every process, for failure messages. */
  tails(lines?: number): string;
  stop(): Promise<void>;
}

/**
 * Every service as its own process (`node --import tsx services/<svc>/src/main.ts`), as
 * `npm start` and the containers run them, each on a free port; resolves when all are ready.
 */
export async function startStack(o: StackOptions): Promise<Stack> {
  const common = {
    DATABASE_URL: o.databaseUrl,
    AMQP_URL: o.amqpUrl,
    AUTH_JWT_SECRET: o.jwtSecret,
    LOG_LEVEL: 'info',
    ...o.commonEnv,
  };
  const authPort = await freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  const start = async (name: string, script: string, env: Record<string, string>): Promise<Running> => {
    const port = await freePort();
    const proc = new NodeProcess(name, script, { ...common, ...env, PORT: String(port) });
    return { name, url: `http://127.0.0.1:${port}`, proc };
  };

  const auth: Running = {
    name: 'auth',
    url: authUrl,
    proc: new NodeProcess('auth', 'services/auth/src/main.ts', {
      ...common,
      ...o.partnerEnv,
      PORT: String(authPort),
      HOST: '127.0.0.1',
      AUTH_PUBLIC_URL: authUrl,
      AUTH_ENCRYPTION_KEYS: `e2e1:${randomBytes(32).toString('base64')}`,
      AUTH_ENCRYPTION_PRIMARY_KEY: 'e2e1',
      AUTH_RETURN_URL_ALLOWLIST: o.returnUrlAllowList,
    }),
  };
  const scheduler = await start('scheduler', 'services/scheduler/src/main.ts', { ...o.schedulerEnv });
  const detector = await start('change-detector', 'services/change-detector/src/main.ts', {
    ...o.detectorEnv,
  });
  const workers: Record<string, Running> = {};
  const startWorker = async (partner: string) => {
    const prefix = `PARTNER_${partner.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_`;
    const own = Object.fromEntries(Object.entries(o.partnerEnv).filter(([k]) => k.startsWith(prefix)));
    const running = await start(`sync-worker.${partner}`, 'services/sync-worker/src/main.ts', {
      ...own,
      ...o.workerEnv,
      PARTNER: partner,
      AUTH_INTERNAL_URL: authUrl,
    });
    workers[partner] = running;
    return running;
  };
  // The workers share the `sync` schema: the first creates it before the others start, as two
  // processes running `create schema if not exists` at the same moment collide in PostgreSQL
  // (platform `migrate` does not serialize that statement yet).
  const [firstPartner, ...otherPartners] = o.workers;
  const first = firstPartner ? await startWorker(firstPartner) : undefined;
  const all: Running[] = [auth, scheduler, detector, ...(first ? [first] : [])];
  const stack: Stack = {
    auth,
    scheduler,
    detector,
    workers,
    all,
    tails: (lines = 30) => all.map((r) => r.proc.tail(lines)).join('\n'),
    async stop() {
      await Promise.all(all.map((r) => r.proc.stop()));
    },
  };
  try {
    await Promise.all(all.map((r) => r.proc.waitReady(`${r.url}/readyz`)));
    const rest = await Promise.all(otherPartners.map(startWorker));
    all.push(...rest);
    await Promise.all(rest.map((r) => r.proc.waitReady(`${r.url}/readyz`)));
  } catch (e) {
    await stack.stop();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${stack.tails(20)}`);
  }
  return stack;
}
