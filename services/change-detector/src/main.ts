import { startTelemetry } from '@healthsync/platform/otel';

const telemetry = startTelemetry('change-detector');

const { topology } = await import('@healthsync/contracts');
const { partnerIds } = await import('@healthsync/partners/declarations');
const {
  createBus,
  createDb,
  createHttpApp,
  createLogger,
  listen,
  loadEnvOrExit,
  onShutdown,
  ping,
  startOutboxRelay,
} = await import('@healthsync/platform');
const { migrateChangeDetector, SCHEMA } = await import('./db/migrations/index.js');
const { detectOnce } = await import('./detector.js');
const { loadDetectorEnv } = await import('./env.js');
const { detectorMetrics } = await import('./metrics.js');
const { checkPrerequisites } = await import('./repositories/activity.repository.js');

const SERVICE = 'change-detector';

const env = loadEnvOrExit(() => loadDetectorEnv());
const logger = createLogger(SERVICE, env.LOG_LEVEL);

const db = createDb(env.DATABASE_URL, { max: 4, applicationName: SERVICE });
await migrateChangeDetector(db);
const missing = await checkPrerequisites(db);
if (missing.length > 0) {
  // Without them a transaction that commits late could be missed: refuse to run.
  logger.fatal({ missing }, 'the change detector cannot see every transaction in flight');
  await db.destroy();
  process.exit(78);
}

const bus = await createBus({
  url: env.AMQP_URL,
  topology: topology(partnerIds),
  logger,
  serviceName: SERVICE,
});
const relay = startOutboxRelay({ db, schema: SCHEMA, bus, logger });

let lastSuccess = 0;
let lastFailure: string | null = null;
const { app, metrics, finish } = createHttpApp({
  logger,
  serviceName: SERVICE,
  readiness: [
    { name: 'database', check: () => ping(db) },
    {
      name: 'broker',
      check: async () => {
        if (!bus.connected) throw new Error('not connected to RabbitMQ');
      },
    },
    {
      name: 'detector',
      check: async () => {
        if (lastFailure !== null) throw new Error(`last run failed: ${lastFailure}`);
        if (lastSuccess === 0) throw new Error('no run completed yet');
      },
    },
  ],
});
finish();
const observe = detectorMetrics(metrics);
const server = await listen(app, env.PORT, '0.0.0.0');
logger.info(
  {
    port: env.PORT,
    intervalMs: env.DETECT_INTERVAL_MS,
    batchSize: env.DETECT_BATCH_SIZE,
    startFrom: env.DETECT_START_FROM,
  },
  'change detector started',
);

let stopping = false;
let wakeUp: (() => void) | undefined;
const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wakeUp = undefined;
      resolve();
    }
    wakeUp = done;
  });

let lastHoldWarning = 0;
async function loop(): Promise<void> {
  let failures = 0;
  while (!stopping) {
    const started = Date.now();
    try {
      const result = await detectOnce(db, {
        batchSize: env.DETECT_BATCH_SIZE,
        safetyMarginMs: env.DETECT_SAFETY_MARGIN_MS,
        startFrom: env.DETECT_START_FROM,
        source: SERVICE,
        logger,
        shouldStop: () => stopping,
        onBatch: (batch) => {
          observe.batch(batch);
          if (batch.emitted > 0) relay.wake();
        },
      });
      observe.run(result);
      failures = 0;
      lastSuccess = Date.now();
      lastFailure = null;
      if (result.emitted > 0 || result.skipped > 0)
        logger.info(
          {
            emitted: result.emitted,
            late: result.late,
            skipped: result.skipped,
            batches: result.batches,
            ms: Date.now() - started,
          },
          'changes emitted',
        );
      const held = result.heldBy;
      if (
        held &&
        held.transactionAgeSeconds > env.DETECT_HOLD_WARN_SECONDS &&
        Date.now() - lastHoldWarning > 60_000
      ) {
        lastHoldWarning = Date.now();
        logger.warn(
          { heldBy: held },
          'a long transaction holds the detector back (rows are re-read until it ends); end it if it is stuck',
        );
      }
    } catch (error) {
      failures++;
      lastFailure = error instanceof Error ? error.message : String(error);
      observe.failure();
      logger.error({ err: error, failures }, 'change detection run failed; retrying');
    }
    if (!stopping)
      await sleep(
        failures > 0 ? Math.min(30_000, env.DETECT_INTERVAL_MS * 2 ** failures) : env.DETECT_INTERVAL_MS,
      );
  }
}
const running = loop();

onShutdown({ logger, message: 'stopping after the current batch' }, async () => {
  stopping = true;
  wakeUp?.();
  await running;
  await relay.stop();
  await bus.close();
  await server.close();
  await db.destroy();
  await telemetry.shutdown();
});
