import { startTelemetry } from '@healthsync/platform/otel';

const telemetry = startTelemetry('scheduler');

const { declarations, partnerIds } = await import('@healthsync/partners/declarations');
const { topology } = await import('@healthsync/contracts');
const {
  createBus,
  createDb,
  createLogger,
  listen,
  loadEnvOrExit,
  migrate,
  onShutdown,
  OUTBOX_RELAY_BATCH_SIZE,
  ping,
  startOutboxRelay,
  systemClock,
} = await import('@healthsync/platform');
const { createSchedulerApp } = await import('./app.js');
const { startCompaction } = await import('./compaction.js');
const { startConsumer } = await import('./consumer.js');
const { migrations, SCHEMA } = await import('./db/migrations/index.js');
const { contextOptionsFromEnv, dispatchConfigFromEnv, loadSchedulerEnv } = await import('./env.js');
const { relayOptions } = await import('./config.js');
const { createServiceTokenVerifier } = await import('./http/service-auth.js');
const { syncDispatchBudgets } = await import('./repositories/dispatch-budget.repository.js');
const { recordPolicy } = await import('./repositories/policy-history.repository.js');
const { createSchedulerContext, relayWaker, startDispatcher } = await import('./scheduler.js');

const env = loadEnvOrExit(() => loadSchedulerEnv());
const logger = createLogger('scheduler', env.LOG_LEVEL);
const clock = systemClock;
const ctx = createSchedulerContext({ declarations, ...contextOptionsFromEnv(env) });
const dispatch = dispatchConfigFromEnv(env);

// The claim statement is kept prepared per connection (planned once, not on every tick).
const db = createDb(env.DATABASE_URL, { max: 12, applicationName: 'scheduler' });
await migrate(db, { schema: SCHEMA, migrations });
await syncDispatchBudgets(db, ctx.partners.values(), clock.now());
if (
  await recordPolicy(db, ctx.policy.name, { groups: ctx.policy.config, schedule: ctx.config }, clock.now())
) {
  logger.warn(
    { policy: ctx.policy.name },
    'polling policy or its configuration changed; `rebuild` recomputes the projection with it',
  );
}

const bus = await createBus({
  url: env.AMQP_URL,
  topology: topology(partnerIds),
  logger,
  serviceName: 'scheduler',
});
const relay = startOutboxRelay({ db, schema: SCHEMA, bus, logger, ...relayOptions(dispatch) });
const { app, metrics } = createSchedulerApp({
  db,
  clock,
  ctx,
  logger,
  verifyToken: createServiceTokenVerifier(env.AUTH_JWT_SECRET),
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
const subscription = env.SCHEDULER_CONSUME
  ? await startConsumer({
      bus,
      db,
      ctx,
      partners: partnerIds,
      onEvent: (type, result) => metrics.observeEvent(type, result),
    })
  : undefined;
const wakeRelay = relayWaker(() => relay.wake(), relayOptions(dispatch).batchSize ?? OUTBOX_RELAY_BATCH_SIZE);
const dispatcher = env.SCHEDULER_DISPATCH
  ? startDispatcher({
      db,
      clock,
      ctx,
      logger,
      tickMs: env.SCHEDULER_TICK_MS,
      loops: dispatch.loops,
      tickTargetMs: dispatch.tickTargetMs,
      onTick: (result, ms) => {
        metrics.observeTick(result, ms);
        wakeRelay(result);
      },
    })
  : undefined;
const compaction = startCompaction({
  db,
  logger,
  everyHours: env.SCHEDULER_COMPACT_EVERY_HOURS,
  historyHours: env.SCHEDULER_HISTORY_DAYS * 24,
});
const server = await listen(app, env.PORT, '0.0.0.0');
logger.info({ port: env.PORT, policy: ctx.policy.name, partners: partnerIds }, 'scheduler started');

onShutdown({ logger, message: 'stopping: no new events or ticks, draining' }, async () => {
  await subscription?.cancel();
  await dispatcher?.stop();
  await compaction.stop();
  await relay.stop();
  await bus.close();
  await server.close();
  await db.destroy();
  await telemetry.shutdown();
});
