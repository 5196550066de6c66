// `pnpm bench bus [--messages 100000] [--rounds 3] [--relay 1000x2,2000x3]` (2000x3 is the relay default)
//
// In one run, against the local RabbitMQ and PostgreSQL (a fresh vhost and database), the same
// messages (a sync.due envelope) persistent + mandatory, to the topic exchange, routed to the
// quorum queue sync-worker.fitbit.due:
//   1. baseline: raw amqplib on a confirm channel, (a) windows followed by waitForConfirms and
//      (b) streaming with a confirm callback per message and a bound on unconfirmed messages;
//   2. the outbox relay draining N pre-written outbox rows (select FOR UPDATE SKIP LOCKED,
//      publish, confirms, one UPDATE, commit per batch), for each `--relay batch x in-flight`.
// The machine is shared, so every measurement runs `--rounds` times, interleaved (raw, relay,
// raw, relay...); the table shows the best and the median of each. Prints msgs/s of each and
// the ratio relay / raw.

import { randomBytes } from 'node:crypto';
import { topology as buildTopology } from '@healthsync/contracts';
import { connect } from 'amqplib';
import { sql } from 'kysely';
import pg from 'pg';
import { createBus } from '../src/bus/bus.js';
import { createDb, type Db } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { createEvent, type OutgoingEvent } from '../src/envelope.js';
import { createLogger } from '../src/logger.js';
import { enqueueEvents } from '../src/outbox/outbox.js';
import { startOutboxRelay } from '../src/outbox/relay.js';
import { createTestVhost, TEST_DATABASE_URL } from '../src/testing/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const N = arg('messages', 100_000);
const ROUNDS = arg('rounds', 3);
/** Relay configurations to run: `--relay 1000x2,2000x3` (batch size x batches in flight). */
const RELAYS = (() => {
  const i = process.argv.indexOf('--relay');
  const spec = i >= 0 ? (process.argv[i + 1] ?? '') : '1000x2,2000x3';
  return spec.split(',').map((part) => {
    const m = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!m) throw new Error(`--relay wants e.g. 500x1,1000x2; got ${part}`);
    return { batch: Number(m[1]), concurrency: Number(m[2]) };
  });
})();
const logger = createLogger('bench', 'warn');
const topology = buildTopology(['fitbit']);
const QUEUE = 'sync-worker.fitbit.due';

function event(i: number): OutgoingEvent {
  return createEvent(
    'sync.due',
    {
      userId: `user-${i}`,
      partner: 'fitbit',
      reasons: ['poll'],
      dueAt: '2026-11-23T10:00:00.000Z',
      fence: i,
      leaseExpiresAt: '2026-11-23T10:05:00.000Z',
    },
    { source: 'bench' },
  );
}

/** A database of its own (not `hs_t_*`, which test runs sweep away as leftovers). */
async function benchDatabase(): Promise<{ db: Db; drop(): Promise<void> }> {
  const name = `hs_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (q: string) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(q);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { max: 4 });
  return {
    db,
    async drop() {
      await db.destroy();
      await admin(`drop database if exists "${name}" with (force)`);
    },
  };
}

async function main() {
  const [vhost, db] = await Promise.all([createTestVhost(), benchDatabase()]);
  try {
    await migrate(db.db, { schema: 'bench', migrations: {} });
    // Declares the exchange and queues; also the bus the relay uses.
    const bus = await createBus({ url: vhost.url, topology, logger, serviceName: 'bench-relay' });
    const conn = await connect(vhost.url);
    const ch = await conn.createConfirmChannel();
    const admin = await conn.createChannel();
    const purge = () => admin.purgeQueue(QUEUE);
    const depth = async () => (await admin.checkQueue(QUEUE)).messageCount;

    const bodies = Array.from({ length: N }, (_, i) => {
      const e = event(i);
      return { id: e.envelope.id, body: Buffer.from(JSON.stringify(e.envelope)) };
    });
    const bodySize = bodies[0]!.body.length;
    const publishOne = (j: number, cb?: (err: unknown) => void) => {
      const m = bodies[j]!;
      return ch.publish(
        topology.exchange.name,
        'sync.due.fitbit',
        m.body,
        {
          mandatory: true,
          persistent: true,
          contentType: 'application/json',
          messageId: m.id,
          type: 'sync.due',
        },
        cb,
      );
    };
    const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
    interface Measured {
      rate: number;
      /** CPU of this process per message (the broker and PostgreSQL share the same cores). */
      cpu: number;
    }
    const measure = async (fn: () => Promise<void>): Promise<Measured> => {
      const cpuBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      await fn();
      const rate = N / seconds(started);
      const used = process.cpuUsage(cpuBefore);
      return { rate, cpu: (used.user + used.system) / N };
    };

    /** Raw (a): publish a window, waitForConfirms, next window. */
    const rawWindows = (window: number) =>
      measure(async () => {
        for (let i = 0; i < N; i += window) {
          const end = Math.min(N, i + window);
          for (let j = i; j < end; j++) {
            if (!publishOne(j)) await new Promise((r) => ch.once('drain', r));
          }
          await ch.waitForConfirms();
        }
      });

    /** Raw (b): a confirm callback per message, at most `limit` unconfirmed at any time. */
    const rawStreaming = (limit: number) =>
      measure(async () => {
        let outstanding = 0;
        let resume: (() => void) | undefined;
        let failed: unknown;
        const onConfirm = (err: unknown) => {
          if (err) failed ??= err;
          outstanding--;
          if (resume && outstanding <= limit / 2) {
            const r = resume;
            resume = undefined;
            r();
          }
        };
        for (let j = 0; j < N; j++) {
          outstanding++;
          const flushed = publishOne(j, onConfirm);
          if (outstanding >= limit) await new Promise<void>((r) => (resume = r));
          else if (!flushed) await new Promise((r) => ch.once('drain', r));
        }
        await ch.waitForConfirms();
        if (failed) throw failed;
      });

    const relayRun = async (batch: number, concurrency: number) => {
      await sql`truncate bench.outbox`.execute(db.db);
      for (let i = 0; i < N; i += 5_000) {
        const chunk = Array.from({ length: Math.min(5_000, N - i) }, (_, k) => event(i + k));
        await db.db.transaction().execute((trx) => enqueueEvents(trx, 'bench', chunk));
      }
      await sql`vacuum analyze bench.outbox`.execute(db.db);
      let relay: ReturnType<typeof startOutboxRelay> | undefined;
      const result = await measure(async () => {
        relay = startOutboxRelay({
          db: db.db,
          schema: 'bench',
          bus,
          logger,
          batchSize: batch,
          concurrency,
          idleMs: 10,
          pruneAfterHours: 0,
        });
        while (relay.stats.published < N) await new Promise((r) => setTimeout(r, 2));
      });
      await relay?.stop();
      const left = await sql<{
        n: number;
      }>`select count(*)::int as n from bench.outbox where sent_at is null`.execute(db.db);
      if (left.rows[0]?.n !== 0) throw new Error(`${left.rows[0]?.n} outbox rows left unsent`);
      return result;
    };

    const runs: {
      what: string;
      kind: 'raw' | 'relay';
      run: () => Promise<Measured>;
      rates: number[];
      cpu: number[];
    }[] = [
      {
        what: 'raw amqplib, windows of 2000 + waitForConfirms',
        kind: 'raw',
        run: () => rawWindows(2_000),
        rates: [],
        cpu: [],
      },
      {
        what: 'raw amqplib, streaming, <= 5000 unconfirmed',
        kind: 'raw',
        run: () => rawStreaming(5_000),
        rates: [],
        cpu: [],
      },
      ...RELAYS.map(({ batch, concurrency }) => ({
        what: `outbox relay, batches of ${batch}, ${concurrency} in flight`,
        kind: 'relay' as const,
        run: () => relayRun(batch, concurrency),
        rates: [] as number[],
        cpu: [] as number[],
      })),
    ];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const r of runs) {
        await purge();
        const { rate, cpu } = await r.run();
        r.rates.push(rate);
        r.cpu.push(cpu);
        const inQueue = await depth();
        if (inQueue !== N) throw new Error(`${r.what}: expected ${N} messages in ${QUEUE}, found ${inQueue}`);
        process.stderr.write(`round ${round}: ${r.what}: ${Math.round(r.rates.at(-1)!)} msg/s\n`);
      }
    }
    await purge();
    await conn.close();
    await bus.close();

    const best = (xs: number[]) => Math.max(...xs);
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = Math.floor(s.length / 2);
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
    console.log(
      `\nbus bench: ${N.toLocaleString('en-US')} messages of ${bodySize} bytes per run, persistent, mandatory, confirmed;`,
    );
    console.log(`topic exchange -> quorum queue ${QUEUE}; ${ROUNDS} rounds, interleaved\n`);
    console.log(`| ${'what'.padEnd(48)} | best msg/s | median msg/s | client CPU µs/msg |`);
    console.log(`|${'-'.repeat(50)}|-----------:|-------------:|------------------:|`);
    for (const r of runs) {
      const cpu = median(r.cpu).toFixed(1).padStart(17);
      console.log(
        `| ${r.what.padEnd(48)} |   ${fmt(best(r.rates))} |     ${fmt(median(r.rates))} | ${cpu} |`,
      );
    }
    const raws = runs.filter((r) => r.kind === 'raw');
    const bestRaw = raws.reduce((a, b) => (best(b.rates) > best(a.rates) ? b : a));
    const medianRaw = raws.reduce((a, b) => (median(b.rates) > median(a.rates) ? b : a));
    console.log('');
    for (const r of runs.filter((x) => x.kind === 'relay')) {
      const ratioBest = (100 * best(r.rates)) / best(bestRaw.rates);
      const ratioMedian = (100 * median(r.rates)) / median(medianRaw.rates);
      console.log(
        `${r.what}: ${ratioBest.toFixed(0)}% of the best raw (best vs best), ${ratioMedian.toFixed(0)}% (median vs median)`,
      );
    }
    console.log(
      '(each relay run drained pre-written rows: every row marked sent, exactly N messages in the queue)',
    );
  } finally {
    await db.drop();
    await vhost.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
