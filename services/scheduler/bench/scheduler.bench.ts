// `pnpm bench scheduler [--users 100000] [--partners 20] [--steady-ticks 60] [--backlog-ticks 15] [--table-users 1000]
//   [--relay default|<batch>x<in flight>] [--dispatch-rows 300000] [--loops n] [--per-tick n] [--tick-target ms]
//   [--vacuum] [--client prepared|plain]
//   [--skip scale,table,compaction,steady,backlog,instances,dispatcher]`
//
// 1. Dispatch at scale: 20 partners x 100,000 users = 2,000,000 schedule rows (generate_series),
//    due times spread over one 5-minute group interval. Steady state: one tick per simulated second
//    (about 6,700 connections due per tick). Backlog: everything due at once, ticks of 50 / 250 / 1000
//    per partner. The platform outbox relay publishes every sync.due to RabbitMQ (persistent,
//    confirmed) while the ticks run. Printed: sync.due claimed and published per second (until the
//    broker confirmed the last one), claims alone per second, tick latency (p50 / p99: one claim
//    statement), database round trips per tick (counted on the pg client), sequential scans of the
//    schedule table (should stay 0: due rows come from the index). Then the service's own
//    dispatcher loop with its default settings (src/config.ts: claim loops, sync.due per partner per
//    tick, relay) works off the backlog until --dispatch-rows are claimed and published.
// 2. The seed's Table 5.2 replayed with a ManualClock: 1,000 users, 30 simulated minutes, three
//    group configurations, a worker stand-in answering every sync.due with sync.completed. Printed:
//    syncs dispatched and our scheduler's database calls (dispatch and event handling) beside the
//    seed's scheduler and worker calls.
// 3. Compaction at scale: dispatch tick latency (baseline, during a snapshot, during compaction),
//    snapshot and log-deletion times.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { catalog, type Envelope, type EventPayload, envelopeSchema, topology } from '@healthsync/contracts';
import {
  type Bus,
  createBus,
  createLogger,
  type Db,
  migrate,
  OUTBOX_RELAY_BATCH_SIZE,
  type OutboxRelayOptions,
  PreparingClient,
  sql,
  startOutboxRelay,
  withTransaction,
} from '@healthsync/platform';
import { createTestVhost, ManualClock, management } from '@healthsync/platform/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { compactLog, takeSnapshot } from '../src/compaction.js';
import { DEFAULT_DISPATCH_CONFIG, relayOptions } from '../src/config.js';
import { migrations, SCHEMA } from '../src/db/migrations/index.js';
import { type ConsumedEnvelope, handleEvent } from '../src/handlers/index.js';
import {
  createSchedulerContext,
  relayWaker,
  type SchedulerContext,
  startDispatcher,
  tick,
} from '../src/scheduler.js';
import { completed, testDeclaration } from '../src/test-support.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    partners: { type: 'string', default: '20' },
    'steady-ticks': { type: 'string', default: '60' },
    'backlog-ticks': { type: 'string', default: '15' },
    'table-users': { type: 'string', default: '1000' },
    relay: { type: 'string', default: 'default' },
    'dispatch-rows': { type: 'string', default: '300000' },
    loops: { type: 'string', default: String(DEFAULT_DISPATCH_CONFIG.loops) },
    'per-tick': { type: 'string', default: String(DEFAULT_DISPATCH_CONFIG.maxPerTick) },
    'tick-target': { type: 'string', default: String(DEFAULT_DISPATCH_CONFIG.tickTargetMs) },
    vacuum: { type: 'boolean', default: false },
    client: { type: 'string', default: 'prepared' },
    skip: { type: 'string', default: '' },
  },
});
const USERS = Number(args.users);
const PARTNERS = Number(args.partners);
const skip = new Set(args.skip.split(',').filter(Boolean));
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** A Kysely over a pg pool whose every client query is counted: one query = one round trip. */
function countingDb(
  url: string,
  max: number,
  applicationName = 'scheduler-bench',
): { db: Db; calls: () => number; reset: () => void } {
  let calls = 0;
  // Connections are never closed for idleness: a backend's pid is read once for its CPU time.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    idleTimeoutMillis: 0,
    // As the service: the claim statement is kept prepared per connection (`--client plain`: not).
    ...(args.client === 'plain' ? {} : { Client: PreparingClient }),
  });
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
      calls++;
      return query(...a);
    };
  });
  return {
    db: new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) }) as Db,
    calls: () => calls,
    reset: () => {
      calls = 0;
    },
  };
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `hs_bench_sched_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? 0;
};
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function seqScans(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select coalesce(seq_scan, 0)::int as n from pg_stat_user_tables where schemaname = 'scheduler' and relname = 'schedules'`.execute(
    db,
  );
  return rows[0]?.n ?? 0;
}

function partnerIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `partner-${String(i + 1).padStart(2, '0')}`);
}

/** Insert `users` rows per partner in one statement per partner; due times spread over `spreadMs` after `t0`. */
async function seedRows(
  db: Db,
  partners: readonly string[],
  users: number,
  t0: Date,
  spreadMs: number,
  group: (u: string) => string = () => '5',
) {
  const start = t0.toISOString();
  for (const p of partners) {
    await sql`
      insert into scheduler.schedules (partner, user_id, status, polls, pushes, group_minutes, group_since,
        last_data_at, poll_blocked_until, connected_at, updated_at, due_at)
      select ${p}, 'u' || lpad(g::text, 7, '0'), 'active', true, true, ${sql.raw(group('g'))}, ${start}::timestamptz,
        ${start}::timestamptz, d, ${start}::timestamptz, ${start}::timestamptz, d
      from generate_series(1, ${users}) g,
        lateral (select ${start}::timestamptz + (${spreadMs}::float8 * ((g * 7919) % ${users}) / ${users}) * interval '1 millisecond' as d) x`.execute(
      db,
    );
  }
  await sql`analyze scheduler.schedules`.execute(db);
}

interface Phase {
  name: string;
  ticks: number;
  claimed: number;
  /** From the first tick until the last claimed row was published (confirmed by the broker). */
  wallMs: number;
  /** From the first tick until the last tick returned (claims written to the outbox). */
  claimMs: number;
  latencies: number[];
  calls: number;
  scans: number;
  /** CPU time of the postgres backends serving the ticks (NaN when /proc is not readable). */
  cpuMs: number;
  /** CPU time per sync.due, in µs, of every part of the path (see {@link cpuMeter}). */
  cpu: CpuPerDue;
}

interface CpuPerDue {
  claimPg: number;
  relayPg: number;
  node: number;
  broker: number;
}

/** The pid of the local RabbitMQ server (beam.smp), if /proc shows it. */
function brokerPid(): number | undefined {
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'beam.smp') return Number(d);
      } catch {}
    }
  } catch {}
  return undefined;
}

/**
 * CPU spent on the whole path of a phase, read from /proc (same host): the postgres backends of
 * the claim connections and of the relay's, this process (ticks, relay, publishing), and the
 * broker. The machine is shared, so wall-clock rates depend on what else runs; CPU per sync.due
 * does much less, and 2 cores divided by it is what the path can do on a machine of its own.
 * The broker's figure includes any other client of the same broker during the phase.
 */
async function cpuMeter(db: Db, claimApps: readonly string[], relayApp: string) {
  const pidsOf = async (apps: readonly string[]) =>
    (
      await sql<{ pid: number }>`
        select pid from pg_stat_activity where datname = current_database()
          and application_name = any(${[...apps]}::text[])`.execute(db)
    ).rows.map((r) => r.pid);
  const snapshot = async (apps: readonly string[]) =>
    new Map((await pidsOf(apps)).map((pid) => [pid, backendCpuMs(pid)]));
  const broker = brokerPid();
  const [claim0, relay0] = [await snapshot(claimApps), await snapshot([relayApp])];
  const node0 = process.cpuUsage();
  const broker0 = broker ? backendCpuMs(broker) : Number.NaN;
  return async (claimed: number): Promise<CpuPerDue> => {
    const node = process.cpuUsage(node0);
    const delta = async (apps: readonly string[], before: Map<number, number>) => {
      let ms = 0;
      for (const [pid, cpu] of await snapshot(apps)) ms += cpu - (before.get(pid) ?? 0);
      return ms;
    };
    const per = (ms: number) => (ms * 1000) / claimed;
    return {
      claimPg: per(await delta(claimApps, claim0)),
      relayPg: per(await delta([relayApp], relay0)),
      node: (node.user + node.system) / claimed,
      broker: per((broker ? backendCpuMs(broker) : Number.NaN) - broker0),
    };
  };
}

/** utime + stime of a local process, in ms (Linux /proc; clock ticks of 10 ms). */
function backendCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** `--relay 1000x2`: batch size x batches in flight; `default`: the scheduler's own settings. */
function relayArg(): Pick<OutboxRelayOptions, 'batchSize' | 'concurrency' | 'retainEventLogHours'> {
  if (args.relay === 'default') return relayOptions(DEFAULT_DISPATCH_CONFIG);
  const m = /^(\d+)x(\d+)$/.exec(args.relay);
  if (!m) throw new Error('--relay must be <batch>x<in flight> or default');
  return { batchSize: Number(m[1]), concurrency: Number(m[2]), retainEventLogHours: 0 };
}

interface Instance {
  counted: ReturnType<typeof countingDb>;
  backend: number;
}

async function instance(url: string): Promise<Instance> {
  // One connection per instance: its server process's CPU time is read from /proc (same host), so
  // the figures can be judged apart from what other processes on the machine take.
  const counted = countingDb(url, 1);
  const backend = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(counted.db)).rows[0]!
    .pid;
  return { counted, backend };
}

async function dispatchAtScale(): Promise<Phase[]> {
  const vhost = await createTestVhost();
  try {
    return await withDatabase(async (url) => {
      const first = await instance(url);
      const { db } = first.counted;
      await migrate(db, { schema: SCHEMA, migrations });
      const settings = await sql<{ name: string; setting: string; unit: string | null }>`
        select name, current_setting(name) as setting, null as unit from pg_settings
        where name in ('shared_buffers', 'max_wal_size', 'synchronous_commit', 'autovacuum')`.execute(db);
      process.stdout.write(
        `machine: ${cpus().length} cores, load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}; postgres ` +
          `${settings.rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`).join(' ')}\n`,
      );
      const partners = partnerIds(PARTNERS);
      const t0 = new Date('2026-11-23T08:00:00.000Z');
      const clock = new ManualClock(t0);
      const started = performance.now();
      await seedRows(db, partners, USERS, t0, 5 * 60_000);
      process.stdout.write(
        `seeded ${fmt(USERS * PARTNERS)} schedule rows (${PARTNERS} partners x ${fmt(USERS)} users) with generate_series in ${fmt((performance.now() - started) / 1000, 1)} s\n`,
      );
      // Every sync.due is really published: the platform outbox relay (its own connections, as in
      // the service) moves the outbox rows to RabbitMQ with publisher confirms while the ticks run,
      // and a phase ends when the broker confirmed the last claimed row. The partners' due queues
      // are emptied between phases (not timed) so the broker does not pile up messages.
      const logger = createLogger('scheduler-bench', 'warn');
      const bus: Bus = await createBus({
        url: vhost.url,
        topology: topology(partners),
        logger,
        serviceName: 'scheduler-bench',
      });
      const relayDb = countingDb(url, 4, 'scheduler-bench-relay').db;
      const relaySettings = relayArg();
      process.stdout.write(
        `outbox relay: batches of ${relaySettings.batchSize ?? 'default'}, ${relaySettings.concurrency ?? 'default'} in flight (--relay)\n`,
      );
      const phases: Phase[] = [];
      const second = await instance(url);
      const run = async (
        name: string,
        instances: readonly Instance[],
        ctx: SchedulerContext,
        ticks: number,
        stepMs: number,
      ) => {
        const scans0 = await seqScans(db);
        const meter = await cpuMeter(db, ['scheduler-bench'], 'scheduler-bench-relay');
        const cpu0 = instances.reduce((sum, i) => sum + backendCpuMs(i.backend), 0);
        for (const i of instances) i.counted.reset();
        const relay = startOutboxRelay({ db: relayDb, schema: SCHEMA, bus, logger, ...relaySettings });
        const wakeRelay = relayWaker(() => relay.wake(), relaySettings.batchSize ?? OUTBOX_RELAY_BATCH_SIZE);
        const latencies: number[] = [];
        let claimed = 0;
        const wall = performance.now();
        await Promise.all(
          instances.map(async (inst) => {
            for (let i = 0; i < ticks; i++) {
              const s = performance.now();
              // Read the result before adding: `claimed += await ...` would lose the other instance's updates.
              const r = await tick(inst.counted.db, clock, ctx);
              latencies.push(performance.now() - s);
              claimed += r.dispatched;
              wakeRelay(r);
              if (instances.length === 1) clock.advance(stepMs);
            }
          }),
        );
        const claimMs = performance.now() - wall;
        const cpuMs = instances.reduce((sum, i) => sum + backendCpuMs(i.backend), 0) - cpu0;
        while (relay.stats.published < claimed) await new Promise((r) => setTimeout(r, 2));
        const wallMs = performance.now() - wall;
        await relay.stop();
        if (relay.stats.published !== claimed)
          throw new Error(`published ${relay.stats.published} of ${claimed} claimed`);
        // Read before the meter and the scan count query the first instance's connection.
        const calls = instances.reduce((sum, i) => sum + i.counted.calls(), 0);
        const phase = {
          name,
          ticks: instances.length * ticks,
          claimed,
          wallMs,
          claimMs,
          cpuMs,
          cpu: await meter(claimed),
          latencies,
          calls,
          scans: (await seqScans(db)) - scans0,
        };
        phases.push(phase);
        report(phase);
        for (const p of partners)
          await management(
            'DELETE',
            `/queues/${encodeURIComponent(vhost.name)}/${encodeURIComponent(`sync-worker.${p}.due`)}/contents`,
          );
      };
      const ctxWith = (maxPerTick: number) =>
        createSchedulerContext({ declarations: partners.map((p) => testDeclaration(p)), maxPerTick });
      const backlogTicks = Number(args['backlog-ticks']);
      // Steady state: a simulated second per tick, ~USERS*PARTNERS/300 due per tick.
      if (!skip.has('steady'))
        await run(
          'steady: 1 tick per simulated second',
          [first],
          ctxWith(5000),
          Number(args['steady-ticks']),
          1000,
        );
      // Backlog: everything due (the leases above expire too); batches of three sizes.
      clock.set(new Date(t0.getTime() + 15 * 60_000));
      for (const per of skip.has('backlog') ? [] : [50, 250, 1000])
        await run(`backlog: ${per} per partner per tick`, [first], ctxWith(per), backlogTicks, 0);
      // Scale-out: two scheduler instances (own connections) ticking at once; SKIP LOCKED keeps
      // them apart. Latencies are per tick of either instance.
      if (!skip.has('instances'))
        await run('backlog: 2 instances x 250 per partner', [first, second], ctxWith(250), backlogTicks, 0);
      // The service as configured by default: the dispatcher's claim loops (each saturated tick is
      // followed at once by the next) and the relay, until --dispatch-rows are claimed and published.
      if (!skip.has('dispatcher')) {
        // Every claim leaves a dead index entry in the due range until the table is vacuumed, and
        // each tick walks those of its partners. With autovacuum off (as on some test machines),
        // `--vacuum` runs the VACUUM that autovacuum would have run, timed, before this phase.
        if (args.vacuum) {
          const dead = await sql<{ n: number }>`
            select n_dead_tup::int as n from pg_stat_user_tables where schemaname = 'scheduler' and relname = 'schedules'`.execute(
            db,
          );
          const v = performance.now();
          await sql`vacuum scheduler.schedules`.execute(db);
          process.stdout.write(
            `vacuum scheduler.schedules (${fmt(dead.rows[0]?.n ?? 0)} dead rows): ${fmt((performance.now() - v) / 1000, 1)} s\n`,
          );
        }
        const loops = Number(args.loops);
        const maxPerTick = Number(args['per-tick']);
        const pool = countingDb(url, loops, 'scheduler-bench-dispatch');
        const ctx = ctxWith(maxPerTick);
        const meter = await cpuMeter(db, ['scheduler-bench-dispatch'], 'scheduler-bench-relay');
        const relay = startOutboxRelay({ db: relayDb, schema: SCHEMA, bus, logger, ...relaySettings });
        const wakeRelay = relayWaker(() => relay.wake(), relaySettings.batchSize ?? OUTBOX_RELAY_BATCH_SIZE);
        const target = Number(args['dispatch-rows']);
        const scans0 = await seqScans(db);
        const latencies: number[] = [];
        let claimed = 0;
        let enough!: () => void;
        const reached = new Promise<void>((r) => {
          enough = r;
        });
        const wall = performance.now();
        const dispatcher = startDispatcher({
          db: pool.db,
          clock,
          ctx,
          logger,
          loops,
          tickTargetMs: Number(args['tick-target']),
          onTick: (r, ms) => {
            latencies.push(ms);
            claimed += r.dispatched;
            wakeRelay(r);
            if (claimed >= target) enough();
          },
        });
        await reached;
        await dispatcher.stop();
        const claimMs = performance.now() - wall;
        while (relay.stats.published < claimed) await new Promise((r) => setTimeout(r, 2));
        const wallMs = performance.now() - wall;
        await relay.stop();
        if (relay.stats.published !== claimed)
          throw new Error(`published ${relay.stats.published} of ${claimed} claimed`);
        const cpu = await meter(claimed);
        const phase = {
          name: `dispatcher: ${loops} loop(s) x <=${maxPerTick}/partner, ${args['tick-target']} ms`,
          ticks: latencies.length,
          claimed,
          wallMs,
          claimMs,
          cpuMs: (cpu.claimPg * claimed) / 1000,
          cpu,
          latencies,
          calls: pool.calls(),
          scans: (await seqScans(db)) - scans0,
        };
        phases.push(phase);
        report(phase);
        await pool.db.destroy();
      }
      const { rows } = await sql<{ n: number; unsent: number }>`
        select count(*)::int as n, (count(*) filter (where sent_at is null))::int as unsent
        from scheduler.outbox`.execute(db);
      process.stdout.write(
        `outbox rows written: ${fmt(rows[0]!.n)}, unsent: ${fmt(rows[0]!.unsent)}; load average now ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}\n`,
      );
      await bus.close();
      await Promise.all([db.destroy(), second.counted.db.destroy(), relayDb.destroy()]);
      return phases;
    });
  } finally {
    await vhost.drop();
  }
}

function report(p: Phase) {
  const rate = (n: number, ms: number) => (ms > 0 ? fmt((n / ms) * 1000) : '-');
  process.stdout.write(
    `${p.name.padEnd(38)} ticks ${String(p.ticks).padStart(3)}  claimed ${fmt(p.claimed).padStart(9)}  ` +
      `per tick ${fmt(p.claimed / p.ticks).padStart(6)}  ${fmt((p.claimed / p.wallMs) * 1000).padStart(7)} sync.due/s claimed+published ` +
      `(claims alone ${rate(p.claimed, p.claimMs)}/s)  ` +
      `tick p50 ${fmt(pct(p.latencies, 0.5), 1).padStart(6)} ms  p99 ${fmt(pct(p.latencies, 0.99), 1).padStart(6)} ms  ` +
      `round trips/tick ${fmt(p.calls / p.ticks, 2)}  seq scans ${p.scans}  ` +
      `postgres CPU ${fmt(p.cpuMs / 1000, 1)} s (${rate(p.claimed, p.cpuMs)} sync.due per CPU-second)\n`,
  );
  const { claimPg, relayPg, node, broker } = p.cpu;
  const total = claimPg + relayPg + node + broker;
  process.stdout.write(
    `${''.padEnd(38)} CPU per sync.due: claim ${fmt(claimPg, 1)} µs (postgres) + relay ${fmt(relayPg, 1)} µs (postgres) + ` +
      `${fmt(node, 1)} µs (node: ticks, relay, publishing) + ${fmt(broker, 1)} µs (RabbitMQ, shared) = ${fmt(total, 1)} µs: ` +
      `${Number.isFinite(total) && total > 0 ? fmt(2_000_000 / total) : '-'}/s on 2 cores of its own\n`,
  );
}

/* ------------------------------------------------------------------ Table 5.2 */

interface TableRow {
  name: string;
  groups: (i: number) => number;
  seedScheduler: number;
  seedWorker: number;
}

const TABLE_5_2: TableRow[] = [
  { name: 'all in the 1-minute group', groups: () => 1, seedScheduler: 80_120, seedWorker: 191_369 },
  {
    name: '2/3 in 5, 1/3 in 1',
    groups: (i) => (i % 3 === 0 ? 1 : 5),
    seedScheduler: 34_650,
    seedWorker: 147_900,
  },
  {
    name: 'thirds in 5 / 20 / 60',
    groups: (i) => [5, 20, 60][i % 3]!,
    seedScheduler: 22_590,
    seedWorker: 87_904,
  },
];

async function table52(): Promise<void> {
  const users = Number(args['table-users']);
  const partner = 'partner-01';
  const out: string[] = [];
  for (const row of TABLE_5_2) {
    await withDatabase(async (url) => {
      const counted = countingDb(url, 8);
      const harness = countingDb(url, 2);
      const { db } = counted;
      await migrate(db, { schema: SCHEMA, migrations });
      const t0 = new Date('2026-11-23T08:00:00.000Z');
      const clock = new ManualClock(t0);
      const ctx = createSchedulerContext({
        declarations: [testDeclaration(partner)],
        groups: { groupsMinutes: [1, 5, 20, 60] },
        config: { pushBlockadeMs: 60_000 },
        maxPerTick: 5000,
      });
      // The users, each in its group, all due at the start (as after the seed's first run).
      const groups = Array.from({ length: users }, (_, i) => row.groups(i));
      await sql`
        insert into scheduler.schedules (partner, user_id, status, polls, pushes, group_minutes, group_since,
          last_data_at, poll_blocked_until, connected_at, updated_at, due_at)
        select ${partner}, 'u' || g, 'active', true, true, (${groups}::float8[])[g], ${t0.toISOString()}::timestamptz,
          ${t0.toISOString()}::timestamptz, ${t0.toISOString()}::timestamptz, ${t0.toISOString()}::timestamptz,
          ${t0.toISOString()}::timestamptz, ${t0.toISOString()}::timestamptz
        from generate_series(1, ${users}) g`.execute(db);
      counted.reset();
      let dispatched = 0;
      let ticks = 0;
      let tickCalls = 0;
      let lastSeq = 0;
      const parse = envelopeSchema(catalog['sync.due']);
      const end = t0.getTime() + 30 * 60_000;
      while (clock.now().getTime() < end) {
        const before = counted.calls();
        const r = await tick(db, clock, ctx);
        tickCalls += counted.calls() - before;
        ticks++;
        dispatched += r.dispatched;
        if (r.dispatched > 0) {
          // The worker stand-in: read the new sync.due (not counted as scheduler calls) and answer each.
          const { rows } = await sql<{ seq: number; envelope: unknown }>`
            select seq, envelope from scheduler.outbox where seq > ${lastSeq} order by seq`.execute(
            harness.db,
          );
          lastSeq = rows.at(-1)?.seq ?? lastSeq;
          const completions = rows.map((x) => {
            const due = parse.parse(x.envelope).payload as EventPayload<'sync.due'>;
            const at = clock.now();
            return completed(due, at, { startedAt: at.toISOString() }) as Envelope;
          });
          for (let i = 0; i < completions.length; i += 8) {
            await Promise.all(
              completions
                .slice(i, i + 8)
                .map((e) => withTransaction(db, (trx) => handleEvent(trx, e as ConsumedEnvelope, ctx))),
            );
          }
        }
        clock.advance(1000);
      }
      const handlingCalls = counted.calls() - tickCalls;
      out.push(
        `${row.name.padEnd(28)} ${fmt(dispatched).padStart(7)}  ${fmt(tickCalls).padStart(8)} (${ticks} ticks)  ${fmt(handlingCalls).padStart(9)}  ` +
          `${fmt(tickCalls + handlingCalls).padStart(9)}   |  ${fmt(row.seedScheduler).padStart(7)}  ${fmt(row.seedWorker).padStart(8)}`,
      );
      await Promise.all([db.destroy(), harness.db.destroy()]);
    });
  }
  process.stdout.write(
    `\nTable 5.2 replayed: ${fmt(users)} users, 30 simulated minutes, 1 tick per simulated second, every sync.due answered at once\n` +
      `${''.padEnd(28)} ${'syncs'.padStart(7)}  ${'dispatch DB calls'.padStart(19)}  ${'handling'.padStart(9)}  ${'total'.padStart(9)}   |  seed: ${'sched.'.padStart(7)}  ${'worker'.padStart(8)}\n` +
      `${out.join('\n')}\n` +
      '(handling: sync.completed applied, 5 round trips each: BEGIN, lock, inbox+log, row, COMMIT)\n',
  );
}

/**
 * 3. Compaction at scale (`--users` x `--partners` schedule rows, as many event-log rows 40 days
 * old): dispatch runs the whole time in the steady state of part 1 (one tick per simulated second,
 * due times spread over 5 minutes). Its tick latency while nothing else runs is the baseline, then
 * while a snapshot is taken (the table is locked until the snapshot's view is taken, then copied),
 * then while the log is compacted (a second snapshot, then the old log it covers deleted).
 */
async function compactionAtScale() {
  await withDatabase(async (url) => {
    const { db } = countingDb(url, 6, 'scheduler-bench-compaction');
    try {
      await migrate(db, { schema: SCHEMA, migrations });
      const partners = partnerIds(PARTNERS);
      const t0 = new Date('2026-11-23T08:00:00.000Z');
      const clock = new ManualClock(t0);
      await seedRows(db, partners, USERS, t0, 5 * 60_000);
      const rows = USERS * PARTNERS;
      const seeded = performance.now();
      await sql`
        insert into scheduler.event_log (event_id, direction, type, stream, envelope, recorded_at)
        select gen_random_uuid(), 'consumed', 'sync.completed', 'partner-01:u' || g,
          jsonb_build_object('type', 'sync.completed', 'payload', jsonb_build_object('userId', 'u' || g)),
          now() - interval '40 days'
        from generate_series(1, ${rows}) g`.execute(db);
      await sql`analyze scheduler.event_log`.execute(db);
      process.stdout.write(
        `\ncompaction: ${fmt(rows)} schedule rows, ${fmt(rows)} event-log rows 40 days old (seeded in ${fmt((performance.now() - seeded) / 1000, 1)} s)\n`,
      );
      const ctx = createSchedulerContext({
        declarations: partners.map((p) => testDeclaration(p)),
        maxPerTick: 5000,
      });
      const state: { phase: 'baseline' | 'snapshot' | 'compaction' | 'done' } = { phase: 'baseline' };
      const ticks: Record<string, { ms: number[]; dispatched: number }> = {
        baseline: { ms: [], dispatched: 0 },
        snapshot: { ms: [], dispatched: 0 },
        compaction: { ms: [], dispatched: 0 },
      };
      const ticking = (async () => {
        while (state.phase !== 'done') {
          const phase = ticks[state.phase]!;
          const started = performance.now();
          const r = await tick(db, clock, ctx);
          phase.ms.push(performance.now() - started);
          phase.dispatched += r.dispatched;
          clock.advance(1000);
        }
      })();
      await new Promise((r) => setTimeout(r, 5000));
      state.phase = 'snapshot';
      let t = performance.now();
      const snapshot = await takeSnapshot(db);
      const snapshotMs = performance.now() - t;
      state.phase = 'compaction';
      t = performance.now();
      const compacted = await compactLog(db, { historyHours: 35 * 24 });
      const compactMs = performance.now() - t;
      state.phase = 'done';
      await ticking;
      const line = (name: string, x: { ms: number[]; dispatched: number }) =>
        `  ${name.padEnd(24)} ${fmt(x.ms.length).padStart(5)} ticks, ${fmt(x.dispatched / Math.max(1, x.ms.length)).padStart(5)} sync.due each  ` +
        `p50 ${fmt(pct(x.ms, 0.5), 1).padStart(6)} ms  p99 ${fmt(pct(x.ms, 0.99), 1).padStart(7)} ms  max ${fmt(Math.max(0, ...x.ms), 1).padStart(7)} ms\n`;
      process.stdout.write(
        `  snapshot: ${fmt(snapshot.rows)} rows copied in ${fmt(snapshotMs / 1000, 1)} s\n` +
          `  compaction: another snapshot and ${fmt(compacted.logRowsDeleted)} log rows deleted in ${fmt(compactMs / 1000, 1)} s\n` +
          'dispatch ticks (1 per simulated second) while:\n' +
          line('nothing else (baseline)', ticks.baseline!) +
          line('a snapshot is taken', ticks.snapshot!) +
          line('the log is compacted', ticks.compaction!),
      );
    } finally {
      await db.destroy();
    }
  });
}

if (!skip.has('scale')) await dispatchAtScale();
if (!skip.has('table')) await table52();
if (!skip.has('compaction')) await compactionAtScale();
