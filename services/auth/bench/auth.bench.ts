// `pnpm bench auth [seconds] [concurrency] [processes]`: throughput and latency of the internal
// credentials API (a valid service JWT, a real database read, AES-GCM decrypt and a request log
// line per request), with `/healthz` of the same servers as a baseline measured in the same run.
//
// As in production, the service is its own process: `src/main.ts`, unchanged, started `processes`
// times (default 2, one per core) as node:cluster workers sharing one port, with the broker off,
// JSON logs at info to /dev/null, and the database, keys and Withings fake set up here. The load
// comes from autocannon in this process, so client and servers never share an event loop.
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDevPartnerEnv } from '@healthsync/partner-kit';
import { declarations } from '@healthsync/partners/declarations';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createKeyRing } from '../src/crypto/key-ring.js';
import { connectThrough, JWT_SECRET, startHarness, withingsSetup } from '../src/testing/harness.js';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 32);
const processes = Number(process.argv[4] ?? 2);
const USERS = 50;
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** User + system CPU of a process or thread so far, in ms (Linux /proc; 0 where unreadable). */
function cpuMs(pid: number | string, tid?: number | string): number {
  try {
    const stat = readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

interface Run {
  name: string;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  cpu: { servers: number; postgres: number; load: number };
}

const key = randomBytes(32);
const h = await startHarness({
  partners: { withings: withingsSetup },
  keyRing: createKeyRing(new Map([['k1', key]]), 'k1'),
  logger: pino({ level: 'silent' }),
  poolSize: 2,
});
const workers: Worker[] = [];
try {
  for (let u = 0; u < USERS; u++) {
    const r = await connectThrough(h, `bench-${u}`, 'withings', { user: String(7000 + u) });
    if (r.status !== 'connected') throw new Error(`setup: connect answered ${r.status}`);
  }
  const service = await h.serviceToken();

  // The production process, configured as main.int.test.ts does, on the database set up above.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const partnerEnv: Record<string, string> = Object.assign(
    {},
    ...declarations.map((d) =>
      createDevPartnerEnv(d, 'http://127.0.0.1:9', { webhookVerifyToken: 'verify-me' }),
    ),
    h.env,
  );
  const env: Record<string, string> = {
    ...partnerEnv,
    DATABASE_URL: h.database.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    AUTH_BUS_ENABLED: 'false',
    AUTH_SWEEP_INTERVAL_MINUTES: '0',
    AUTH_PUBLIC_URL: url,
    AUTH_JWT_SECRET: JWT_SECRET,
    AUTH_ENCRYPTION_KEYS: `k1:${key.toString('base64')}`,
    AUTH_ENCRYPTION_PRIMARY_KEY: 'k1',
    AUTH_RETURN_URL_ALLOWLIST: 'https://app.example.test/settings/',
  };
  const devnull = openSync('/dev/null', 'w');
  cluster.setupPrimary({
    exec: main,
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', devnull, 'inherit', 'ipc'],
  });
  for (let i = 0; i < processes; i++) workers.push(cluster.fork(env));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('listening', () => resolve());
          w.once('exit', (code) => reject(new Error(`auth process exited with ${code} before listening`)));
        }),
    ),
  );

  // Postgres backends of this database (the servers' pools fill during the warm-up).
  const backends = async () =>
    (
      await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(
        h.db,
      )
    ).rows.map((r) => r.pid);

  const credentialRequests = Array.from({ length: USERS }, (_, u) => ({
    method: 'POST' as const,
    path: `/internal/v1/credentials/withings/bench-${u}`,
    headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
    body: '{}',
  }));
  const healthz = [{ method: 'GET' as const, path: '/healthz' }];

  async function load(name: string, requests: object[], duration: number): Promise<Run> {
    const postgresBefore = new Map((await backends()).map((p) => [p, cpuMs(p)]));
    const before = {
      servers: workers.reduce((s, w) => s + cpuMs(w.process.pid ?? 0), 0),
      load: process.cpuUsage(),
    };
    const result = await autocannon({ url, connections: concurrency, duration, requests });
    const load = process.cpuUsage(before.load);
    // Backends opened during the run count from zero.
    const postgres = (await backends()).reduce((s, p) => s + cpuMs(p) - (postgresBefore.get(p) ?? 0), 0);
    const statuses: Record<string, number> = {};
    for (const [code, { count }] of Object.entries(
      result.statusCodeStats as Record<string, { count: number }>,
    ))
      statuses[code] = count;
    return {
      name,
      requests: result.requests.total,
      seconds: result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      statuses,
      errors: result.errors + result.timeouts,
      cpu: {
        servers: workers.reduce((s, w) => s + cpuMs(w.process.pid ?? 0), 0) - before.servers,
        postgres,
        load: (load.user + load.system) / 1000,
      },
    };
  }

  // Warm-up (JIT, pools, token cache), not reported.
  await load('warm-up', healthz, 2);
  await load('warm-up', credentialRequests, 3);

  const baseline = await load('GET /healthz (baseline)', healthz, seconds);
  const credentials = await load(
    'POST /internal/v1/credentials (valid service JWT)',
    credentialRequests,
    seconds,
  );
  const rows = [baseline, credentials].map((r) => ({
    name: r.name,
    'req/s': Math.round(r.requests / r.seconds),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    requests: r.requests,
    statuses: JSON.stringify(r.statuses),
    errors: r.errors,
    'CPU µs/req server|pg|load': [r.cpu.servers, r.cpu.postgres, r.cpu.load]
      .map((ms) => Math.round((ms * 1000) / Math.max(1, r.requests)))
      .join('|'),
  }));
  console.log(
    `auth bench: ${seconds}s per run, ${concurrency} concurrent keep-alive connections (autocannon), ` +
      `${processes} auth process(es) (src/main.ts), ${USERS} connections stored`,
  );
  console.table(rows);
  const [b, c] = rows;
  if (b && c) console.log(`credentials / baseline throughput: ${(c['req/s'] / b['req/s']).toFixed(2)}`);
  if ((credentials.statuses['200'] ?? 0) !== credentials.requests || credentials.errors > 0) {
    console.error('some credential requests did not answer 200');
    process.exitCode = 1;
  }
} finally {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          w.once('exit', () => resolve());
          w.process.kill('SIGTERM');
        }),
    ),
  );
  await h.close();
}
