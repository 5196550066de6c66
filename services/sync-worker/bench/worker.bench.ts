// `pnpm bench worker [--processes N] [--concurrency K] [--seconds S] [--users U] [--bus] [--only round-trips|throughput]`
//
// 1. Database round trips per sync task, counted in this run with a counting pg Client (every
//    query the worker's pool sends), for: nothing new, 10 new polled items, 10 pending pushes;
//    beside the seed system's 15.2 round trips per task (191,369 calls / 12,600 tasks).
// 2. Sync tasks per second against the Withings fake (no added latency), with N worker processes
//    each running K tasks at once over its own share of the users (every task a new fence).
//    With `--bus`, as deployed: the tasks are `sync.due` messages in RabbitMQ, consumed by the
//    worker's `startWorker` (prefetch K, by default the worker's SYNC_CONCURRENCY, capped by the
//    queue's declared prefetch; a pool of SYNC_DB_POOL connections), acked after the
//    commit, and the outbox relay publishes every `sync.completed`; RabbitMQ's CPU is shown too.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { migrateAppStore, storeContainers } from '@healthsync/app-store';
import { type EventPayload, syncWorkerQueues, topology } from '@healthsync/contracts';
import {
  budgetOptionsFor,
  createDevPartnerEnv,
  createPgRateBudget,
  migrateRateBudget,
  type PartnerApi,
  resolvePartnerConfig,
} from '@healthsync/partner-kit';
import { apiOf } from '@healthsync/partners/apis';
import { partnerIds } from '@healthsync/partners/declarations';
import { fakes } from '@healthsync/partners/fakes';
import {
  createBus,
  createDb,
  createEvent,
  type Db,
  migrate,
  PreparingClient,
  startOutboxRelay,
  systemClock,
  withTransaction,
} from '@healthsync/platform';
import { createTestDatabase, createTestVhost, management } from '@healthsync/platform/testing';
import { pino } from 'pino';
import type { CredentialsClient, WorkerCredentials } from '../src/credentials.js';
import { migrations, SCHEMA } from '../src/db/migrations/index.js';
import { DEFAULT_SYNC_CONCURRENCY, DEFAULT_SYNC_DB_POOL } from '../src/env.js';
import { onConnected } from '../src/handlers/connection.handler.js';
import { partnerHttpFactory } from '../src/partner-http.js';
import { runSync, type SyncDeps } from '../src/sync-task.js';
import { AppChangeFeed, FakeAccountCredentials } from '../src/testing/harness.js';
import { startWorker, WORKER_RELAY_CONCURRENCY } from '../src/worker.js';

const SEED_ROUND_TRIPS = 191_369 / 12_600;
const logger = pino({ level: 'silent' });

/* ----------------------------------------------------------------------------- counting pool */

let queries = 0;
/** The worker's pg client (hot statements kept prepared), counting every query it sends: one query is one database round trip. */
class CountingClient extends PreparingClient {
  override query(...args: unknown[]): never {
    queries++;
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}
/** The worker's database as main.ts creates it, with the counting client. */
function countingDb(url: string, max: number): Db {
  return createDb(url, { max, Client: CountingClient });
}

/* ------------------------------------------------------------------------------------ helpers */

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

let fence = Date.now();
const due = (userId: string, partner: string): EventPayload<'sync.due'> => ({
  userId,
  partner,
  reasons: ['poll', 'push'],
  dueAt: new Date().toISOString(),
  fence: ++fence,
  leaseExpiresAt: new Date(Date.now() + 300_000).toISOString(),
});

async function connect(
  db: Db,
  api: PartnerApi,
  userId: string,
  externalUserId: string,
  poll: string[],
  push: string[],
) {
  await withTransaction(db, (trx) =>
    onConnected(
      trx,
      api.declaration,
      {
        userId,
        partner: api.declaration.id,
        externalUserId,
        generation: api.declaration.auth.current,
        dataTypes: { poll: poll as never, push: push as never },
        reconnect: false,
        accountChanged: false,
      },
      { occurredAt: new Date().toISOString(), source: `sync-worker.${api.declaration.id}` },
    ),
  );
}

/** Credentials handed over to worker processes: tokens the parent obtained through OAuth. */
class StaticCredentials implements CredentialsClient {
  constructor(private readonly byUser: ReadonlyMap<string, WorkerCredentials>) {}
  async get(_partner: string, userId: string): Promise<WorkerCredentials> {
    const c = this.byUser.get(userId);
    if (!c) throw new Error(`no credentials for ${userId}`);
    return c;
  }
}

/* -------------------------------------------------------------------------- 1. round trips */

async function roundTrips(dbUrl: string, plain: Db): Promise<void> {
  const withingsFake = await fakes.withings({ port: 0, rateLimitPerMinute: 1_000_000 });
  const fitbitFake = await fakes.fitbit({ port: 0, seed: false, hourlyLimit: 1_000_000 });
  const counted = countingDb(dbUrl, 4);
  try {
    const rig = async (
      id: 'withings' | 'fitbit',
      fake: typeof withingsFake | typeof fitbitFake,
      budget: boolean,
    ) => {
      const api = apiOf(id);
      const resolved = resolvePartnerConfig(
        api.declaration,
        createDevPartnerEnv(api.declaration, fake.url, {
          clientId: fake.clientId,
          clientSecret: fake.clientSecret,
        }),
      );
      const credentials = new FakeAccountCredentials(resolved);
      const deps: SyncDeps = {
        db: counted,
        api,
        clock: systemClock,
        logger,
        source: `sync-worker.${id}`,
        httpFor: partnerHttpFactory({
          api,
          resolved,
          credentials,
          ...(budget
            ? { budget: createPgRateBudget(counted, budgetOptionsFor(api.declaration, { maxWaitMs: 0 })) }
            : {}),
        }),
      };
      return { api, credentials, deps };
    };
    const measure = async (
      label: string,
      tasks: number,
      before: (n: number) => Promise<void>,
      task: () => Promise<unknown>,
    ) => {
      let total = 0;
      for (let n = 0; n < tasks; n++) {
        await before(n);
        const at = queries;
        await task();
        total += queries - at;
      }
      const perTask = total / tasks;
      console.log(
        `  ${label.padEnd(52)} ${perTask.toFixed(2).padStart(6)} per task   (seed system: ${SEED_ROUND_TRIPS.toFixed(1)}, ${(SEED_ROUND_TRIPS / perTask).toFixed(1)}x fewer)`,
      );
      return perTask;
    };

    console.log('Database round trips per sync task (counted queries; BEGIN and COMMIT count as one each)');
    // Withings, polling weights and workouts: nothing new.
    const w = await rig('withings', withingsFake, false);
    const account = String(withingsFake.demoUserIds[0]);
    await w.credentials.connect('rt-w', account);
    await connect(plain, w.api, 'rt-w', account, ['measurement', 'exercise'], []);
    await runSync(w.deps, due('rt-w', 'withings'));
    await runSync(w.deps, due('rt-w', 'withings'));
    const nothing = await measure(
      'nothing new (Withings: 2 kinds polled)',
      200,
      async () => {},
      () => runSync(w.deps, due('rt-w', 'withings')),
    );

    // 10 new weigh-ins at Withings per task.
    let at = Math.floor(Date.now() / 1000) - 90 * 86_400;
    let modified = Math.floor(Date.now() / 1000) + 1;
    const newPolled = await measure(
      '10 new polled items (Withings weights)',
      50,
      async () => {
        // Each batch modified in its own second (the partner's `lastupdate` is whole seconds).
        modified += 1;
        for (let i = 0; i < 10; i++)
          withingsFake.store.addGroup(
            Number(account),
            { date: at++, values: { 1: 70 + (at % 50) / 10 } },
            modified,
          );
      },
      () => runSync(w.deps, due('rt-w', 'withings')),
    );

    // 10 app weights pending a push to Fitbit per task (the user polls nothing from Fitbit).
    const f = await rig('fitbit', fitbitFake, false);
    const fbAccount = fitbitFake.controls.createUser();
    await f.credentials.connect('rt-f', fbAccount);
    await connect(plain, f.api, 'rt-f', fbAccount, [], ['measurement']);
    const feed = new AppChangeFeed(plain);
    await feed.next();
    const { onDataChanged } = await import('../src/handlers/data-changed.handler.js');
    let eventQueries = 0;
    let events = 0;
    let day = 0;
    const pushes = await measure(
      '10 pending pushes (Fitbit weight creates)',
      20,
      async () => {
        day++;
        await storeContainers(
          plain,
          Array.from({ length: 10 }, (_, i) => ({
            userId: 'rt-f',
            container: {
              kind: 'measurement' as const,
              type: 'weight' as const,
              value: 60 + i,
              unit: 'kg' as const,
              measuredAt: new Date(Date.now() - day * 86_400_000 - i * 60_000).toISOString(),
              utcOffsetMinutes: 0,
            },
          })),
        );
        for (const change of await feed.next()) {
          const q = queries;
          await withTransaction(counted, (trx) => onDataChanged(trx, f.api.declaration, change, 'bench'));
          eventQueries += queries - q;
          events++;
        }
      },
      () => runSync(f.deps, due('rt-f', 'fitbit')),
    );
    console.log(
      `  ${'(each shapeup.data-changed event, inbox claim not included)'.padEnd(52)} ${(eventQueries / events).toFixed(2).padStart(6)} per event`,
    );

    // The same "nothing new" with the shared PostgreSQL rate budget (one statement per partner call).
    await migrateRateBudget(plain);
    const wb = await rig('withings', withingsFake, true);
    await wb.credentials.connect('rt-wb', account);
    await connect(plain, wb.api, 'rt-wb', account, ['measurement', 'exercise'], []);
    await runSync(wb.deps, due('rt-wb', 'withings'));
    await runSync(wb.deps, due('rt-wb', 'withings'));
    const withBudget = await measure(
      'nothing new, with the shared PostgreSQL rate budget',
      100,
      async () => {},
      () => runSync(wb.deps, due('rt-wb', 'withings')),
    );
    console.log(
      `  target: <= 3 with nothing new -> ${nothing <= 3 ? 'met' : 'NOT met'} (${nothing.toFixed(2)}); with the rate budget ${withBudget.toFixed(2)}; 10 new ${newPolled.toFixed(2)}; 10 pushes ${pushes.toFixed(2)}`,
    );
  } finally {
    await counted.destroy();
    await withingsFake.close();
    await fitbitFake.close();
  }
}

/* ----------------------------------------------------------------------------- 2. throughput */

/** CPU time (ms) the database's backend processes have used, read from /proc (Linux, local server). */
async function backendCpuMs(db: Db, database: string): Promise<Map<number, number>> {
  const { sql } = await import('@healthsync/platform');
  const r = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${database}`.execute(
    db,
  );
  const out = new Map<number, number>();
  const tick = 100; // USER_HZ
  for (const { pid } of r.rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / tick);
    } catch {
      // Not local, or gone.
    }
  }
  return out;
}

/** CPU time (ms) of the local RabbitMQ (the Erlang VM, `beam.smp`), read from /proc; 0 if not found. */
function brokerCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'beam.smp') continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      // Gone, or not ours to read.
    }
  }
  return total;
}

/** Messages ready in a queue, from the broker's management API. */
async function queueDepth(vhost: string, queue: string): Promise<number> {
  const res = await management('GET', `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
  const q = (await res.json()) as { messages_ready?: number };
  return q.messages_ready ?? 0;
}

/** The prefetch the contracts declare for a sync worker's `sync.due` queue (the bus never exceeds it). */
const DUE_QUEUE_PREFETCH = syncWorkerQueues('withings')[0]!.prefetch;

interface WorkerPlan {
  /** Consume `sync.due` from this broker (the `--bus` mode) instead of calling runSync in loops. */
  amqpUrl?: string;
  dbUrl: string;
  fakeUrl: string;
  clientId: string;
  clientSecret: string;
  users: { userId: string; credentials: WorkerCredentials }[];
  concurrency: number;
  startAt: number;
  endAt: number;
}

/** One worker process: K loops, each syncing its users in turn until `endAt`. */
async function workerProcess(planFile: string): Promise<void> {
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as WorkerPlan;
  const api = apiOf('withings');
  const resolved = resolvePartnerConfig(
    api.declaration,
    createDevPartnerEnv(api.declaration, plan.fakeUrl, {
      clientId: plan.clientId,
      clientSecret: plan.clientSecret,
    }),
  );
  const db = countingDb(plan.dbUrl, plan.amqpUrl ? DEFAULT_SYNC_DB_POOL : Math.min(plan.concurrency, 32));
  const deps: SyncDeps = {
    db,
    api,
    clock: systemClock,
    logger,
    source: 'sync-worker.withings',
    httpFor: partnerHttpFactory({
      api,
      resolved,
      credentials: new StaticCredentials(new Map(plan.users.map((u) => [u.userId, u.credentials]))),
    }),
  };
  const outcomes: Record<string, number> = {};
  let tasks = 0;
  let counting = false;
  let q0 = 0;
  if (plan.amqpUrl) {
    // As main.ts runs it: the bus (prefetch K), the outbox relay and startWorker.
    const bus = await createBus({
      url: plan.amqpUrl,
      topology: topology(partnerIds),
      logger,
      serviceName: 'sync-worker.withings',
      prefetch: plan.concurrency,
    });
    const relay = startOutboxRelay({
      db,
      schema: SCHEMA,
      bus,
      logger,
      concurrency: WORKER_RELAY_CONCURRENCY,
    });
    const subscriptions = await startWorker({
      ...deps,
      bus,
      onSync: (r) => {
        if (!counting) return;
        tasks++;
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      },
    });
    await new Promise((r) => setTimeout(r, Math.max(0, plan.startAt - Date.now())));
    counting = true;
    q0 = queries;
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, Math.max(0, plan.endAt - Date.now())));
    counting = false;
    const cpu = process.cpuUsage(cpu0);
    const counted = queries - q0;
    for (const s of subscriptions) await s.cancel();
    await relay.stop();
    await bus.close();
    process.stdout.write(
      JSON.stringify({ tasks, outcomes, queries: counted, cpuMs: (cpu.user + cpu.system) / 1000 }),
    );
    await db.destroy();
    return;
  }
  const loop = async (lane: number) => {
    const mine = plan.users.filter((_, i) => i % plan.concurrency === lane);
    for (let i = 0; Date.now() < plan.endAt; i++) {
      const user = mine[i % mine.length]!;
      const r = await runSync(deps, due(user.userId, 'withings'));
      if (counting && Date.now() < plan.endAt) {
        tasks++;
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      }
    }
  };
  // Warm up (connections, JIT) until the common start.
  const lanes = Array.from({ length: plan.concurrency }, (_, lane) => loop(lane));
  await new Promise((r) => setTimeout(r, Math.max(0, plan.startAt - Date.now())));
  counting = true;
  q0 = queries;
  const cpu0 = process.cpuUsage();
  await Promise.all(lanes);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({ tasks, outcomes, queries: queries - q0, cpuMs: (cpu.user + cpu.system) / 1000 }),
  );
  await db.destroy();
}

async function throughput(
  dbUrl: string,
  database: string,
  plain: Db,
  kinds: readonly string[],
): Promise<void> {
  const processes = arg('processes', Math.max(1, availableParallelism() - 1));
  const concurrency = arg('concurrency', DEFAULT_SYNC_CONCURRENCY);
  const seconds = arg('seconds', 10);
  const userCount = arg('users', 400);
  // The fake runs in this process; worker processes call it over HTTP.
  const fake = await fakes.withings({ port: 0, rateLimitPerMinute: 100_000_000, demoUsers: 0 });
  const api = apiOf('withings');
  const resolved = resolvePartnerConfig(
    api.declaration,
    createDevPartnerEnv(api.declaration, fake.url, {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
    }),
  );
  const credentials = new FakeAccountCredentials(resolved);
  const users: WorkerPlan['users'] = [];
  for (let n = 0; n < userCount; n++) {
    const userId = `tp${kinds.length}-${n}`;
    const account = fake.controls.createUser();
    fake.store.createUser(Number(account));
    await credentials.connect(userId, account);
    await connect(plain, api, userId, account, [...kinds], []);
    users.push({ userId, credentials: await credentials.get('withings', userId) });
  }
  // `--bus`: a vhost of its own, filled up front with more sync.due messages (users in turn, each a
  // new fence) than the workers can take during the warm-up and the measured seconds.
  const viaBus = process.argv.includes('--bus');
  const vhost = viaBus ? await createTestVhost() : undefined;
  const queued = viaBus ? Math.ceil(arg('bus-rate', 1_500) * (15 + seconds + 5)) : 0;
  const dueQueue = 'sync-worker.withings.due';
  if (vhost) {
    const publisher = await createBus({
      url: vhost.url,
      topology: topology(partnerIds),
      logger,
      serviceName: 'scheduler',
    });
    try {
      for (let n = 0; n < queued; ) {
        const batch = [];
        for (let b = 0; b < 1_000 && n < queued; b++, n++)
          batch.push(
            createEvent('sync.due', due(users[n % users.length]!.userId, 'withings'), {
              source: 'scheduler',
            }),
          );
        await publisher.publish(batch);
      }
    } finally {
      await publisher.close();
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'sync-worker-bench-'));
  // Room for the worker processes to start (tsx compiles on load) and warm up before counting.
  const startAt = Date.now() + 15_000;
  const endAt = startAt + seconds * 1000;
  const self = fileURLToPath(import.meta.url);
  try {
    // CPU of the fake (this process), PostgreSQL's backends and RabbitMQ over the measured seconds
    // only (the workers already run tasks while they warm up).
    let fakeBefore = process.cpuUsage();
    let pgBefore = new Map<number, number>();
    let brokerBefore = 0;
    const sampleStart = (async () => {
      await new Promise((r) => setTimeout(r, startAt - Date.now()));
      fakeBefore = process.cpuUsage();
      pgBefore = await backendCpuMs(plain, database);
      brokerBefore = brokerCpuMs();
    })();
    const sampleEnd = (async () => {
      await sampleStart;
      await new Promise((r) => setTimeout(r, endAt - Date.now()));
      const fakeCpu = process.cpuUsage(fakeBefore);
      const broker = brokerCpuMs() - brokerBefore;
      const pg = await backendCpuMs(plain, database);
      const left = vhost ? await queueDepth(vhost.name, dueQueue) : undefined;
      return { fakeMs: (fakeCpu.user + fakeCpu.system) / 1000, pg, broker, left };
    })();
    const results = await Promise.all(
      Array.from({ length: processes }, async (_, p) => {
        const file = join(dir, `plan-${p}.json`);
        const plan: WorkerPlan = {
          ...(vhost ? { amqpUrl: vhost.url } : {}),
          dbUrl,
          fakeUrl: fake.url,
          clientId: fake.clientId,
          clientSecret: fake.clientSecret,
          // On the bus any process may get any user's sync.due.
          users: vhost ? users : users.filter((_, i) => i % processes === p),
          concurrency,
          startAt,
          endAt,
        };
        writeFileSync(file, JSON.stringify(plan));
        const profile = process.env.BENCH_CPU_PROFILE
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
          : [];
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [...profile, '--import', 'tsx', self, '--worker', file],
          {
            maxBuffer: 1 << 20,
          },
        );
        return JSON.parse(stdout) as {
          tasks: number;
          outcomes: Record<string, number>;
          queries: number;
          cpuMs: number;
        };
      }),
    );
    const end = await sampleEnd;
    let pgCpu = 0;
    for (const [pid, ms] of end.pg) if (pgBefore.has(pid)) pgCpu += ms - pgBefore.get(pid)!;
    const tasks = results.reduce((n, r) => n + r.tasks, 0);
    const outcomes: Record<string, number> = {};
    for (const r of results)
      for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
    const workerCpu = results.reduce((n, r) => n + r.cpuMs, 0);
    const how = vhost
      ? `sync.due consumed from RabbitMQ, acked after the commit, sync.completed relayed; prefetch ${Math.min(concurrency, DUE_QUEUE_PREFETCH)} per process`
      : `runSync called in ${concurrency} loops per process`;
    console.log(
      `\nSync tasks per second against the Withings fake (no added latency; polling ${kinds.join(' + ')}, nothing new; ${how}), ${availableParallelism()} cores shared by PostgreSQL, the fake${vhost ? ', RabbitMQ' : ''} and the workers (load average ${loadavg()[0]?.toFixed(1)})`,
    );
    console.log(
      `  ${processes} worker process(es), ${userCount} users, ${seconds} s: ${tasks} tasks = ${(tasks / seconds).toFixed(0)} tasks/s   (target >= 1,000); per process ${results.map((r) => (r.tasks / seconds).toFixed(0)).join(' + ')} tasks/s`,
    );
    console.log(
      `  outcomes ${JSON.stringify(outcomes)}; ${(results.reduce((n, r) => n + r.queries, 0) / Math.max(1, tasks)).toFixed(2)} db round trips per task` +
        (end.left === undefined
          ? ''
          : end.left > 0
            ? `; ${end.left} sync.due still queued at the end (the queue never ran dry)`
            : '; THE QUEUE RAN DRY: the figure is a lower bound (raise --bus-rate)'),
    );
    const per = (ms: number) => ms / Math.max(1, tasks);
    const workerMs = per(workerCpu);
    const fakeMs = per(end.fakeMs);
    const pgMs = per(pgCpu);
    const brokerMs = per(end.broker);
    const cores = availableParallelism() * 1000;
    console.log(
      `  CPU per task: worker ${workerMs.toFixed(2)} ms, PostgreSQL ${pgMs.toFixed(2)} ms, partner fake ${fakeMs.toFixed(2)} ms${vhost ? `, RabbitMQ ${brokerMs.toFixed(2)} ms` : ''} -> ` +
        `this machine's ${availableParallelism()} cores, if idle, fit ~${(cores / (workerMs + pgMs + fakeMs + brokerMs)).toFixed(0)} tasks/s with the fake, ` +
        `~${(cores / (workerMs + pgMs + brokerMs)).toFixed(0)} tasks/s with the partner elsewhere`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fake.close();
    await vhost?.drop();
  }
}

/* --------------------------------------------------------------------------------------- main */

if (process.argv[2] === '--worker') {
  await workerProcess(process.argv[3]!);
} else {
  const t = await createTestDatabase({ poolSize: 4 });
  try {
    await migrateAppStore(t.db);
    await migrate(t.db, { schema: SCHEMA, migrations });
    // `--only throughput` / `--only round-trips` runs one part (for quicker iterations).
    const only = process.argv.includes('--only')
      ? process.argv[process.argv.indexOf('--only') + 1]
      : undefined;
    if (only !== 'throughput') await roundTrips(t.url, t.db);
    if (only !== 'round-trips') {
      await throughput(t.url, t.name, t.db, ['measurement']);
      await throughput(t.url, t.name, t.db, ['measurement', 'exercise']);
    }
  } finally {
    await t.drop();
  }
}
