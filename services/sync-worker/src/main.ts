import { startTelemetry } from '@healthsync/platform/otel';

const telemetry = startTelemetry('sync-worker');

// Configuration first: a misconfigured worker exits (78) before loading anything else.
const {
  createBus,
  createDb,
  createLogger,
  listen,
  loadEnvOrExit,
  migrate,
  onShutdown,
  ping,
  startOutboxRelay,
  systemClock,
} = await import('@healthsync/platform');
const { loadWorkerEnv } = await import('./env.js');
const env = loadEnvOrExit(() => loadWorkerEnv());

const { topology } = await import('@healthsync/contracts');
const { budgetOptionsFor, createPgRateBudget, migrateRateBudget, resolvePartnerConfig } = await import(
  '@healthsync/partner-kit'
);
const { apiOf } = await import('@healthsync/partners/apis');
const { partnerIds } = await import('@healthsync/partners/declarations');
const { createWorkerApp, workerMetrics } = await import('./app.js');
const { createCredentialsClient } = await import('./credentials.js');
const { migrations, SCHEMA } = await import('./db/migrations/index.js');
const { partnerHttpFactory } = await import('./partner-http.js');
const { startWorker, WORKER_RELAY_CONCURRENCY } = await import('./worker.js');

const logger = createLogger(`sync-worker.${env.PARTNER}`, env.LOG_LEVEL);
const api = apiOf(env.PARTNER);
const resolved = resolvePartnerConfig(api.declaration);
const source = `sync-worker.${env.PARTNER}`;

const db = createDb(env.DATABASE_URL, { max: env.SYNC_DB_POOL, applicationName: source });
await migrate(db, { schema: SCHEMA, migrations });
await migrateRateBudget(db);
const bus = await createBus({
  url: env.AMQP_URL,
  topology: topology(partnerIds),
  logger,
  serviceName: source,
  prefetch: env.SYNC_CONCURRENCY,
});
const relay = startOutboxRelay({
  db,
  schema: SCHEMA,
  bus,
  logger,
  concurrency: WORKER_RELAY_CONCURRENCY,
});

const credentials = createCredentialsClient({
  authUrl: env.AUTH_INTERNAL_URL,
  jwtSecret: env.AUTH_JWT_SECRET,
  serviceName: source,
});
const budget = createPgRateBudget(db, budgetOptionsFor(api.declaration));
const { app, metrics } = createWorkerApp({
  db,
  logger,
  partner: env.PARTNER,
  jwtSecret: env.AUTH_JWT_SECRET,
  readiness: [
    { name: 'database', check: () => ping(db) },
    {
      name: 'broker',
      check: async () => {
        if (!bus.connected) throw new Error('not connected to RabbitMQ');
      },
    },
  ],
});
const observe = workerMetrics(metrics, env.PARTNER);
const subscriptions = await startWorker({
  db,
  bus,
  api,
  clock: systemClock,
  logger,
  source,
  httpFor: partnerHttpFactory({ api, resolved, credentials, budget }),
  maxPushAttempts: env.SYNC_MAX_PUSH_ATTEMPTS,
  onSync: (result, ms) => observe.observe(result, ms),
});
const server = await listen(app, env.PORT, '0.0.0.0');

// Sync log retention: every 10 minutes, delete what is older than SYNC_LOG_RETENTION_DAYS.
const { pruneSyncLog } = await import('./repositories/sync-log.repository.js');
const retention = setInterval(() => {
  const before = new Date(Date.now() - env.SYNC_LOG_RETENTION_DAYS * 86_400_000);
  pruneSyncLog(db, before).catch((err: unknown) => logger.warn({ err }, 'sync log retention failed'));
}, 10 * 60_000);
retention.unref();
logger.info({ port: env.PORT, partner: env.PARTNER }, 'sync worker started');

onShutdown({ logger, message: 'stopping: no new syncs, finishing the ones in flight' }, async () => {
  clearInterval(retention);
  for (const s of subscriptions) await s.cancel();
  await relay.stop();
  await bus.close();
  await server.close();
  await db.destroy();
  await telemetry.shutdown();
});
