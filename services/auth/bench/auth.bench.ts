// `pnpm bench auth [seconds] [concurrency]`: throughput and latency of the internal credentials
// API (a valid service JWT, a real database, AES-GCM decrypt per request), with `/healthz` on the
// same app as a baseline measured in the same run. The load comes from a worker thread, so client
// and server do not share one event loop.
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { acmeSetup, connectThrough, startHarness } from '../src/testing/harness.js';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 32);
const USERS = 50;

interface Result {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  latenciesMs: number[];
}

// Plain node:http with keep-alive; records every latency.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, method, paths, headers, body, seconds, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
const latencies = [];
const statuses = {};
let requests = 0, errors = 0, i = 0;
const end = Date.now() + seconds * 1000;
function one() {
  return new Promise((resolve) => {
    const path = paths[i++ % paths.length];
    const started = process.hrtime.bigint();
    const req = http.request({ host: target.hostname, port: target.port, path, method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        requests++;
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    if (body) req.end(body); else req.end();
  });
}
async function loop() { while (Date.now() < end) await one(); }
const t0 = Date.now();
Promise.all(Array.from({ length: concurrency }, loop)).then(() => {
  parentPort.postMessage({ requests, errors, statuses, seconds: (Date.now() - t0) / 1000, latenciesMs: latencies });
  agent.destroy();
});
`;

function load(options: {
  url: string;
  method: string;
  paths: string[];
  headers: Record<string, string>;
  body?: string;
  seconds: number;
}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { ...options, concurrency } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(name: string, r: Result) {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return {
    name,
    'req/s': Math.round(r.requests / r.seconds),
    'p50 ms': Number(percentile(sorted, 50).toFixed(2)),
    'p99 ms': Number(percentile(sorted, 99).toFixed(2)),
    requests: r.requests,
    statuses: JSON.stringify(r.statuses),
    errors: r.errors,
  };
}

// Logs are written as in production (JSON at info, one line per request), to /dev/null.
const devnull = await open('/dev/null', 'w');
const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'info' }, devnull.createWriteStream());
const h = await startHarness({ partners: { acme: acmeSetup() }, logger, poolSize: 10 });
try {
  for (let u = 0; u < USERS; u++) {
    const r = await connectThrough(h, `bench-${u}`, 'acme');
    if (r.status !== 'connected') throw new Error(`setup: connect answered ${r.status}`);
  }
  const service = await h.serviceToken();
  const credentialPaths = Array.from({ length: USERS }, (_, u) => `/internal/v1/credentials/acme/bench-${u}`);
  const common = { url: h.url, seconds };

  // Warm-up (JIT, pools), not reported.
  await load({ ...common, seconds: 2, method: 'GET', paths: ['/healthz'], headers: {} });
  await load({
    ...common,
    seconds: 2,
    method: 'POST',
    paths: credentialPaths,
    headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
    body: '{}',
  });

  const baseline = await load({ ...common, method: 'GET', paths: ['/healthz'], headers: {} });
  const credentials = await load({
    ...common,
    method: 'POST',
    paths: credentialPaths,
    headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' },
    body: '{}',
  });
  const rows = [
    summary('GET /healthz (baseline)', baseline),
    summary('POST /internal/v1/credentials (valid service JWT)', credentials),
  ];
  console.log(
    `auth bench: ${seconds}s per run, ${concurrency} concurrent keep-alive connections, ${USERS} connections stored`,
  );
  console.table(rows);
  const [b, c] = rows;
  if (b && c) console.log(`credentials / baseline throughput: ${(c['req/s'] / b['req/s']).toFixed(2)}`);
  if ((credentials.statuses['200'] ?? 0) !== credentials.requests) {
    console.error('some credential requests did not answer 200');
    process.exitCode = 1;
  }
} finally {
  await h.close();
  await devnull.close();
}
