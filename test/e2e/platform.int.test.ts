import { randomBytes } from 'node:crypto';
import { migrateAppStore } from '@healthsync/app-store';
import { createDevPartnerEnv } from '@healthsync/partner-kit';
import { declarations } from '@healthsync/partners/declarations';
import { fakes } from '@healthsync/partners/fakes';
import { sql } from '@healthsync/platform';
import {
  type BusObserver,
  createTestDatabase,
  createTestVhost,
  startBusObserver,
  type TestDatabase,
  type TestVhost,
} from '@healthsync/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  connectThroughOAuth,
  type ScheduleView,
  schedule,
  scrape,
  total,
} from './support/clients.js';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { sleep, until } from './support/processes.js';
import { type Stack, startStack } from './support/stack.js';

/**
 * The platform as a whole: auth, scheduler, change-detector and one sync-worker per partner
 * under test, each its own process, on a fresh database and RabbitMQ vhost, with the Withings
 * and Fitbit fakes in this process. One user's story, from connecting to disconnecting.
 *
 * Time: the scheduler's group intervals are scaled by SCHEDULER_GROUP_MINUTE_MS (one "minute"
 * of the 5/20/60 groups lasts MINUTE_MS) and "three weeks without data" by
 * SCHEDULER_DEMOTE_AFTER_MS. Fitbit's per-user limit (150 requests an hour) is real time: the
 * scheduler keeps 72 s between two syncs of one Fitbit connection, which sets this file's pace.
 */
const MINUTE_MS = 400;
const DEMOTE_AFTER_MS = 40_000;
const FITBIT_GAP_MS = 72_000;
const JWT_SECRET = `e2e-only-jwt-secret-${randomBytes(12).toString('hex')}`;
const RETURN_URL = 'https://app.example.test/settings/partners';
const USER = `e2e-${randomBytes(4).toString('hex')}`;

type WithingsFake = Awaited<ReturnType<typeof fakes.withings>>;
type FitbitFake = Awaited<ReturnType<typeof fakes.fitbit>>;

let database: TestDatabase;
let vhost: TestVhost;
let withings: WithingsFake;
let fitbit: FitbitFake;
let otlp: OtlpReceiver;
let observer: BusObserver;
let stack: Stack;
let service: string;
let asUser: string;
let withingsAccount = '';
let fitbitAccount = '';
const started = Date.now();
const timings: string[] = [];
const mark = (what: string) => timings.push(`${((Date.now() - started) / 1000).toFixed(1)} s  ${what}`);

/** Every group the scheduler reported for each connection, in order (sampled every second). */
const groupHistory: Record<string, { at: number; group: number; status: string }[]> = {
  withings: [],
  fitbit: [],
};
let sampling: NodeJS.Timeout | undefined;

const diagnostics = async () =>
  [
    `timeline:\n${timings.join('\n')}`,
    `groups: ${JSON.stringify(groupHistory)}`,
    ...(await Promise.all(
      ['withings', 'fitbit'].map(async (partner) =>
        stack
          ? `schedule ${partner}: ${JSON.stringify(await schedule(stack.scheduler.url, service, partner, USER).catch(String))}`
          : '',
      ),
    )),
    `last events: ${observer?.events
      .slice(-40)
      .map(
        (e) =>
          `${e.routingKey}${e.type === 'sync.completed' ? JSON.stringify({ ...e.payload, userId: undefined, startedAt: undefined, finishedAt: undefined }) : ''}`,
      )
      .join(', ')}`,
    stack?.tails(25) ?? '',
  ].join('\n');

const completedFor = (partner: string) =>
  observer.of('sync.completed', (p) => p.userId === USER && p.partner === partner);

interface AppMeasurement {
  readonly value: number;
  readonly measuredAt: Date;
  /** The wall clock where it was measured, `yyyy-MM-ddTHH:mm:ss`. */
  readonly local: string;
}

async function appRows(kind: 'weight' | 'body_fat' | 'height'): Promise<AppMeasurement[]> {
  const { rows } = await sql<{ value: string; measured_at: Date; utc_offset_minutes: number }>`
    select value, measured_at, utc_offset_minutes from shapeup.body_measurements
    where user_id = ${USER} and kind = ${kind} and deleted_at is null`.execute(database.db);
  return rows.map((r) => ({
    value: Number(r.value),
    measuredAt: r.measured_at,
    local: new Date(r.measured_at.getTime() + r.utc_offset_minutes * 60_000).toISOString().slice(0, 19),
  }));
}

beforeAll(async () => {
  [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  await migrateAppStore(database.db);
  await sql`insert into shapeup.users (id, email) values (${USER}, ${`${USER}@example.test`})`.execute(
    database.db,
  );
  withings = await fakes.withings({ seed: 7, demoUsers: 1 });
  fitbit = await fakes.fitbit({ seed: 7 });
  otlp = await startOtlpReceiver();
  // Bound before any service publishes, so it sees every event.
  observer = await startBusObserver(vhost.url, { queue: 'e2e.observer' });
  const partnerEnv: Record<string, string> = {};
  for (const d of declarations) {
    const fake = d.id === 'withings' ? withings : d.id === 'fitbit' ? fitbit : undefined;
    Object.assign(
      partnerEnv,
      createDevPartnerEnv(d, fake?.url ?? 'http://127.0.0.1:9', {
        ...(fake ? { clientId: fake.clientId, clientSecret: fake.clientSecret } : {}),
        webhookVerifyToken: `verify-${d.id}`,
      }),
    );
  }
  stack = await startStack({
    databaseUrl: database.url,
    amqpUrl: vhost.url,
    jwtSecret: JWT_SECRET,
    partnerEnv,
    workers: ['withings', 'fitbit'],
    returnUrlAllowList: 'https://app.example.test/settings/',
    commonEnv: {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
    schedulerEnv: {
      SCHEDULER_TICK_MS: '200',
      SCHEDULER_GROUP_MINUTE_MS: String(MINUTE_MS),
      SCHEDULER_DEMOTE_AFTER_MS: String(DEMOTE_AFTER_MS),
      SCHEDULER_PUSH_BLOCKADE_MS: '1000',
      SCHEDULER_LEASE_MS: '60000',
    },
    detectorEnv: { DETECT_INTERVAL_MS: '250' },
  });
  mark('all services ready');
  service = await bearer(JWT_SECRET, 'e2e-operator', 'service');
  asUser = await bearer(JWT_SECRET, USER);
  sampling = setInterval(() => {
    for (const partner of ['withings', 'fitbit'] as const) {
      schedule(stack.scheduler.url, service, partner, USER).then(
        (s?: ScheduleView) => {
          const history = groupHistory[partner]!;
          const last = history.at(-1);
          if (s && (last?.group !== s.group || last.status !== s.status))
            history.push({ at: Date.now() - started, group: s.group, status: s.status });
        },
        () => {},
      );
    }
  }, 1_000);
}, 240_000);

afterAll(async () => {
  if (sampling) clearInterval(sampling);
  console.log(`platform e2e timeline:\n${timings.join('\n')}\ngroups: ${JSON.stringify(groupHistory)}`);
  await stack?.stop();
  await observer?.close();
  await Promise.all([withings?.close(), fitbit?.close(), otlp?.close()]);
  await Promise.all([vhost?.drop(), database?.drop()]);
}, 60_000);

describe('the platform as a whole', () => {
  it(
    'connects Withings and Fitbit through their OAuth consent pages and brings their data into the app',
    async () => {
      // Withings first, as the demo account with four weeks of weigh-ins on the scale.
      const w = await connectThroughOAuth({
        authUrl: stack.auth.url,
        authorization: asUser,
        userId: USER,
        partner: 'withings',
        returnUrl: RETURN_URL,
        partnerUser: withings.demoUserIds[0]!,
      });
      expect(`${w.location.origin}${w.location.pathname}`).toBe(RETURN_URL);
      expect(w.location.searchParams.get('status')).toBe('connected');
      withingsAccount = w.partnerUser;
      mark('withings connected');

      const withingsSync = await until(
        'a Withings sync that brought data',
        () => completedFor('withings').find((e) => e.payload.polledNew > 0),
        { timeoutMs: 60_000, diagnostics },
      );
      expect(withingsSync.payload.outcome).toBe('ok');
      // The scale's weigh-ins are in the app's table, in kg at the time they were taken.
      const scale = withings.store
        .user(Number(withingsAccount))!
        .groups.filter((g) => g.attrib === 0 && g.category === 1 && g.measures.some((m) => m.type === 1));
      expect(scale.length).toBeGreaterThan(10);
      const weights = await appRows('weight');
      for (const g of scale) {
        const kg = g.measures.find((m) => m.type === 1)!;
        const expected = kg.value * 10 ** kg.unit;
        expect(
          weights.some(
            (r) => r.measuredAt.getTime() === g.date * 1000 && Math.abs(r.value - expected) < 1e-6,
          ),
          `Withings weigh-in ${g.grpid} (${expected} kg at ${new Date(g.date * 1000).toISOString()}) in the app`,
        ).toBe(true);
      }
      mark(`withings data in the app (${weights.length} weights)`);

      // The change detector has seen those rows (so they are not news by the time Fitbit connects).
      const rowCount = async () =>
        Number(
          (
            await sql<{ n: string }>`
            select (select count(*) from shapeup.body_measurements where user_id = ${USER})
              + (select count(*) from shapeup.exercises where user_id = ${USER}) as n`.execute(database.db)
          ).rows[0]?.n ?? 0,
        );
      await until(
        'data-changed events for every row the Withings sync stored',
        async () => {
          const seen = new Set(
            observer
              .of('shapeup.data-changed', (p) => p.userId === USER)
              .map((e) => `${e.payload.kind}:${e.payload.itemId}`),
          );
          return seen.size >= (await rowCount()) ? true : undefined;
        },
        { timeoutMs: 30_000, diagnostics },
      );
      // ... and the Fitbit worker has consumed them (they share its queue with connection.connected
      // and are handled concurrently: one still in flight could otherwise see the new connection).
      const changeIds = observer
        .of('shapeup.data-changed', (p) => p.userId === USER)
        .map((e) => e.envelope.id);
      await until(
        'the Fitbit worker consumed those data-changed events',
        async () => {
          const { rows } = await sql<{ n: number }>`
            select count(*)::int as n from sync.inbox
            where consumer = 'sync-worker.fitbit' and event_id = any(${changeIds}::uuid[])`.execute(
            database.db,
          );
          return (rows[0]?.n ?? 0) >= changeIds.length ? true : undefined;
        },
        { timeoutMs: 30_000, diagnostics },
      );

      // A connection pushes what changed since it was made, less the sync worker's 5 s margin for
      // clocks: the Withings rows are history for Fitbit once they are older than that.
      await until(
        'the Withings rows are more than 5 s old',
        async () => {
          const { rows } = await sql<{ age: number }>`
            select extract(epoch from now() - max(updated_at))::float8 as age
            from shapeup.body_measurements where user_id = ${USER}`.execute(database.db);
          return (rows[0]?.age ?? 0) > 6 ? true : undefined;
        },
        { timeoutMs: 30_000, diagnostics },
      );

      // Fitbit: weight is what this user shares with it, both ways.
      const f = await connectThroughOAuth({
        authUrl: stack.auth.url,
        authorization: asUser,
        userId: USER,
        partner: 'fitbit',
        returnUrl: RETURN_URL,
        dataTypes: { poll: ['measurement'], push: ['measurement'] },
      });
      expect(f.location.searchParams.get('status')).toBe('connected');
      fitbitAccount = f.partnerUser;
      mark('fitbit connected');
      const fitbitSync = await until(
        'a Fitbit sync that brought data',
        () => completedFor('fitbit').find((e) => e.payload.polledNew > 0),
        // When the scheduler's first sync.due reaches the worker before connection.connected
        // does, that sync is skipped and tried again 15 s later (SCHEDULER_SKIPPED_RETRY_MS).
        { timeoutMs: 60_000, diagnostics },
      );
      expect(fitbitSync.payload.outcome).toBe('ok');
      // The Aria scale's history is in the app, at the wall-clock time Fitbit shows it.
      const fitbitWeights = fitbit.data.weight.list(fitbitAccount);
      const aria = fitbitWeights.filter((i) => i.data.source === 'Aria');
      expect(aria.length).toBeGreaterThan(10);
      const afterFitbit = await appRows('weight');
      for (const entry of aria)
        expect(
          afterFitbit.some(
            (r) =>
              Math.abs(r.value - entry.data.value) < 0.05 &&
              r.local === `${entry.data.date}T${entry.data.time}`,
          ),
          `Fitbit weight ${entry.data.value} kg of ${entry.data.date} ${entry.data.time} in the app; app rows of that value: ${JSON.stringify(afterFitbit.filter((r) => Math.abs(r.value - entry.data.value) < 0.05))}; Fitbit profile ${JSON.stringify(fitbit.data.profile(fitbitAccount))}`,
        ).toBe(true);
      expect(afterFitbit.length).toBe(weights.length + aria.length);
      // Nothing went to Fitbit: the Withings history predates the Fitbit connection, and Fitbit's
      // own entries are not echoed back to it.
      await sleep(3_000);
      expect(
        fitbit.data.weight.list(fitbitAccount).filter((i) => i.data.source !== 'Aria'),
        'weights written to Fitbit through its API',
      ).toEqual([]);
      expect(fitbit.data.fat.list(fitbitAccount).filter((i) => i.data.source !== 'Aria')).toEqual([]);
      mark(`fitbit data in the app (${afterFitbit.length} weights in all)`);

      // Both connections are scheduled; every new connection starts in group 5.
      for (const partner of ['withings', 'fitbit']) {
        const s = await schedule(stack.scheduler.url, service, partner, USER);
        expect(s?.status).toBe('active');
        expect(groupHistory[partner]![0]?.group, partner).toBe(5);
      }
    },
    FITBIT_GAP_MS + 180_000,
  );

  it('follows one sync in one trace: scheduler (sync.due) -> sync worker -> scheduler (sync.completed)', async () => {
    type Span = OtlpReceiver['spans'][number];
    const chain = await until(
      'the spans of one Withings sync from the scheduler, the worker and back',
      () => {
        const by = (service: string, name: string) =>
          otlp.spans.filter((s) => s.service === service && s.name === name);
        for (const due of by('scheduler', 'sync.due.withings publish')) {
          const consumed = by('sync-worker', 'sync-worker.withings.due process').find(
            (s) => s.traceId === due.traceId && s.parentSpanId === due.spanId,
          );
          if (!consumed) continue;
          const completed = by('sync-worker', 'sync.completed.withings publish').find(
            (s) => s.traceId === due.traceId,
          );
          if (!completed) continue;
          const back = by('scheduler', 'scheduler.events process').find(
            (s) => s.traceId === due.traceId && s.parentSpanId === completed.spanId,
          );
          if (back) return { due, consumed, completed, back } satisfies Record<string, Span>;
        }
        return undefined;
      },
      {
        timeoutMs: 30_000,
        diagnostics: () =>
          `received ${otlp.spans.length} spans, rejected ${otlp.rejected.length} exports (${otlp.rejected.slice(0, 3).join('; ')}):\n${[
            ...new Set(otlp.spans.map((s) => `${s.service}: ${s.name}`)),
          ].join('\n')}`,
      },
    );
    expect(chain.due.kind).toBe(4); // producer
    expect(chain.consumed.kind).toBe(5); // consumer
    expect(chain.completed.kind).toBe(4);
    expect(chain.back.kind).toBe(5);
    expect(new Set([chain.due, chain.consumed, chain.completed, chain.back].map((s) => s.traceId)).size).toBe(
      1,
    );
    expect(otlp.rejected).toEqual([]);
    mark('one trace across scheduler, worker and scheduler');
  }, 60_000);

  it(
    'pushes a weight entered in the app to Fitbit (once), and not to read-only Withings',
    async () => {
      const inserted = await sql<{ id: number }>`
      insert into shapeup.body_measurements (user_id, kind, value, unit, measured_at, utc_offset_minutes)
      values (${USER}, 'weight', 81.3, 'kg', now() - interval '5 minutes', 60) returning id`.execute(
        database.db,
      );
      // Events carry row ids as strings (the platform's pg parses int8 into a number).
      const rowId = String(inserted.rows[0]!.id);
      mark('app weight 81.3 kg written');
      await until(
        'the app weight to be detected',
        () => observer.of('shapeup.data-changed', (p) => p.userId === USER && p.itemId === rowId)[0],
        { timeoutMs: 30_000, diagnostics },
      );
      const onFitbit = () =>
        fitbit.data.weight
          .list(fitbitAccount)
          .filter((i) => Math.abs(i.data.value - 81.3) < 0.001 && i.data.source === 'API');
      await until('the app weight on Fitbit', () => (onFitbit().length > 0 ? true : undefined), {
        timeoutMs: FITBIT_GAP_MS + 60_000,
        intervalMs: 500,
        diagnostics,
      });
      mark('app weight on Fitbit');
      // The fake holds the weight as soon as the worker's call returns; the sync's commit and the
      // relayed sync.completed come after it.
      const push = await until(
        'the sync.completed of the push',
        () => completedFor('fitbit').find((e) => e.payload.pushed > 0),
        { timeoutMs: 15_000, diagnostics },
      );
      expect(push.payload.outcome).toBe('ok');
      // The next Fitbit poll brings it back; it is recognised, not stored a second time.
      await sleep(3_000);
      expect(onFitbit()).toHaveLength(1);
      expect((await appRows('weight')).filter((r) => Math.abs(r.value - 81.3) < 0.001)).toHaveLength(1);
      expect(completedFor('withings').every((e) => e.payload.pushed === 0)).toBe(true);
    },
    FITBIT_GAP_MS + 120_000,
  );

  it(
    'moves quiet connections to group 20 after three (scaled) weeks, and back to 5 when new data comes',
    async () => {
      const reached = (partner: string, group: number) =>
        groupHistory[partner]!.some((h) => h.group === group && h.status === 'active') ? true : undefined;
      // Withings went quiet after its first sync; Fitbit after the push above.
      await until('Withings in group 20', () => reached('withings', 20), {
        timeoutMs: 3 * DEMOTE_AFTER_MS,
        diagnostics,
      });
      mark('withings in group 20');
      await until('Fitbit in group 20', () => reached('fitbit', 20), {
        timeoutMs: DEMOTE_AFTER_MS + 2 * FITBIT_GAP_MS + 30_000,
        intervalMs: 500,
        diagnostics,
      });
      mark('fitbit in group 20');
      // The groups only ever go down one step at a time while quiet.
      for (const partner of ['withings', 'fitbit']) {
        const groups = groupHistory[partner]!.map((h) => h.group);
        expect(groups.slice(0, 2), partner).toEqual([5, 20]);
      }

      // A new weigh-in on the Withings scale: polled into the app (Withings back to 5), and from
      // the app on to Fitbit (Fitbit back to 5).
      const now = Math.floor(Date.now() / 1000);
      withings.store.addGroup(Number(withingsAccount), { date: now - 60, values: { 1: 79.45, 6: 21.5 } });
      const backAt = Date.now();
      const backToFive = (partner: string) =>
        groupHistory[partner]!.some((h) => h.group === 5 && h.at > backAt - started) ? true : undefined;
      await until('Withings back in group 5', () => backToFive('withings'), {
        timeoutMs: 60 * MINUTE_MS + 30_000,
        diagnostics,
      });
      mark('withings back in group 5');
      expect((await appRows('weight')).some((r) => Math.abs(r.value - 79.45) < 1e-6)).toBe(true);
      await until(
        'the Withings weigh-in on Fitbit',
        () =>
          fitbit.data.weight.list(fitbitAccount).some((i) => Math.abs(i.data.value - 79.45) < 0.01)
            ? true
            : undefined,
        { timeoutMs: FITBIT_GAP_MS + 60_000, intervalMs: 500, diagnostics },
      );
      await until('Fitbit back in group 5', () => backToFive('fitbit'), { timeoutMs: 15_000, diagnostics });
      mark('fitbit back in group 5 (the Withings weigh-in reached Fitbit)');
    },
    3 * DEMOTE_AFTER_MS + 4 * FITBIT_GAP_MS + 120_000,
  );

  it("exposes each service's own metrics", async () => {
    const [authM, schedulerM, detectorM, withingsM, fitbitM] = await Promise.all(
      [stack.auth, stack.scheduler, stack.detector, stack.workers.withings!, stack.workers.fitbit!].map((r) =>
        scrape(`${r.url}/metrics`),
      ),
    );
    // Scheduler: dispatches, consumed events by outcome, connections per group.
    expect(total(schedulerM!, 'scheduler_dispatched_total', { partner: 'withings' })).toBeGreaterThan(0);
    expect(total(schedulerM!, 'scheduler_dispatched_total', { partner: 'fitbit' })).toBeGreaterThan(0);
    expect(
      total(schedulerM!, 'scheduler_events_total', { type: 'sync.completed', result: 'applied' }),
    ).toBeGreaterThan(0);
    expect(total(schedulerM!, 'scheduler_group_connections', { partner: 'withings', status: 'active' })).toBe(
      1,
    );
    // Workers: syncs by outcome, items moved each way.
    expect(
      total(withingsM!, 'healthsync_syncs_total', { partner: 'withings', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(total(withingsM!, 'healthsync_sync_items_total', { direction: 'polled' })).toBeGreaterThan(10);
    expect(total(fitbitM!, 'healthsync_sync_items_total', { direction: 'pushed' })).toBeGreaterThanOrEqual(2);
    // Change detector: events emitted, and how far behind its safe position is.
    expect(total(detectorM!, 'change_detector_events_emitted_total')).toBeGreaterThan(0);
    expect(detectorM!.some((s) => s.name === 'change_detector_safe_position_lag_seconds')).toBe(true);
    // Auth: at least its process metrics and HTTP metrics of its own.
    expect(authM!.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  }, 30_000);

  it('stops every sync of a user who disconnects', async () => {
    for (const partner of ['withings', 'fitbit']) {
      const res = await fetch(`${stack.auth.url}/v1/users/${USER}/connections/${partner}`, {
        method: 'DELETE',
        headers: { authorization: asUser },
      });
      expect(res.status, partner).toBe(204);
    }
    mark('disconnected');
    for (const partner of ['withings', 'fitbit'])
      await until(
        `the scheduler to stop ${partner}`,
        async () => {
          const s = await schedule(stack.scheduler.url, service, partner, USER);
          return s?.status === 'disconnected' && s.dueAt === null ? s : undefined;
        },
        { timeoutMs: 20_000, diagnostics },
      );
    const dueCount = () => observer.of('sync.due', (p) => p.userId === USER).length;
    // A sync.due already on its way may still land; after that, nothing more.
    await sleep(2_000);
    const before = dueCount();
    await sleep(5 * MINUTE_MS * 4 + 2_000);
    expect(dueCount()).toBe(before);
    // The tokens are gone: a worker asking for them gets nothing.
    for (const partner of ['withings', 'fitbit']) {
      const res = await fetch(`${stack.auth.url}/internal/v1/credentials/${partner}/${USER}`, {
        method: 'POST',
        headers: { authorization: service },
      });
      await res.arrayBuffer();
      expect(res.status, partner).toBeGreaterThanOrEqual(400);
    }
    mark('no sync.due after the disconnect');
  }, 60_000);
});
