// First: tracing before anything else loads (a side-effect import keeps its place when imports are sorted).
import './telemetry.js';
import { topology } from '@healthsync/contracts';
import { declarations, partnerIds } from '@healthsync/partners/declarations';
import {
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
} from '@healthsync/platform';
import { createAuthApp } from './app.js';
import { migrations, SCHEMA } from './db/migrations/index.js';
import { sweepIdle } from './domain/sweep.js';
import { loadAuthConfig } from './env.js';
import { handleNeedsReauth, NEEDS_REAUTH_CONSUMER } from './handlers/needs-reauth.handler.js';
import { createTokenVerifier } from './http/caller.js';
import { telemetry } from './telemetry.js';

const config = loadEnvOrExit(() => loadAuthConfig(process.env, declarations));
const { env } = config;
const logger = createLogger('auth', env.LOG_LEVEL);
const db = createDb(env.DATABASE_URL, { applicationName: 'auth', max: 20 });
const ran = await migrate(db, { schema: SCHEMA, migrations });
if (ran.length > 0) logger.info({ migrations: ran }, 'migrated');

const bus = env.AUTH_BUS_ENABLED
  ? await createBus({ url: env.AMQP_URL, topology: topology(partnerIds), logger, serviceName: 'auth' })
  : undefined;
const relay = bus ? startOutboxRelay({ db, schema: SCHEMA, bus, logger }) : undefined;

const { app, ctx } = createAuthApp({
  db,
  logger,
  keyRing: config.keyRing,
  partners: config.partners,
  verifyToken: createTokenVerifier(config.verifier),
  publicUrl: env.AUTH_PUBLIC_URL,
  returnUrls: config.returnUrls,
  settings: config.settings,
  rateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE > 0 ? env.AUTH_RATE_LIMIT_PER_MINUTE : null,
  ...(env.AUTH_TRUST_PROXY !== undefined ? { trustProxy: env.AUTH_TRUST_PROXY } : {}),
  bodyLimit: env.AUTH_BODY_LIMIT,
  readiness: [
    { name: 'database', check: () => ping(db) },
    ...(bus ? [{ name: 'broker', check: () => bus.waitUntilConnected(1_000) }] : []),
  ],
  onEventsEnqueued: () => relay?.wake(),
});

const queue = topology(partnerIds).consumers.find((q) => q.name === NEEDS_REAUTH_CONSUMER);
if (bus && !queue) throw new Error(`the topology has no ${NEEDS_REAUTH_CONSUMER} queue`);
const subscription =
  bus && queue
    ? await bus.consume(queue, {
        'connection.needs-reauth': async (_payload, envelope) => {
          await handleNeedsReauth({ db, logger, clock: systemClock }, envelope);
        },
      })
    : undefined;

const server = await listen(app, env.PORT, env.HOST);
logger.info({ url: server.url, partners: partnerIds, bus: Boolean(bus) }, 'auth service listening');

let sweeping: Promise<unknown> = Promise.resolve();
const sweepTimer =
  env.AUTH_SWEEP_INTERVAL_MINUTES > 0
    ? setInterval(() => {
        sweeping = sweepIdle(ctx).catch((e: unknown) =>
          logger.error({ err: e instanceof Error ? e.message : String(e) }, 'idle sweep failed'),
        );
      }, env.AUTH_SWEEP_INTERVAL_MINUTES * 60_000)
    : undefined;
sweepTimer?.unref();

onShutdown({ logger, message: 'draining' }, async () => {
  if (sweepTimer) clearInterval(sweepTimer);
  await subscription?.cancel();
  await server.close();
  await sweeping;
  await relay?.stop();
  await bus?.close();
  await db.destroy();
  await telemetry.shutdown();
});
