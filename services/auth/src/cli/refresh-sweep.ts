// `pnpm --filter @healthsync/auth refresh-sweep`: refresh idle tokens before the partner expires
// them (AUTH_IDLE_REFRESH_AFTER_DAYS) and delete expired pending authorizations. Same env as the service.
import { declarations } from '@healthsync/partners/declarations';
import { createDb, createLogger, exitOnEnvError, migrate } from '@healthsync/platform';
import { createAuthApp } from '../app.js';
import { migrations, SCHEMA } from '../db/migrations/index.js';
import { sweepIdle } from '../domain/sweep.js';
import { type AuthConfig, loadAuthConfig } from '../env.js';
import { createTokenVerifier } from '../http/caller.js';

let config: AuthConfig;
try {
  config = loadAuthConfig(process.env, declarations);
} catch (e) {
  exitOnEnvError(e);
}
const logger = createLogger('auth-refresh-sweep', config.env.LOG_LEVEL);
const db = createDb(config.env.DATABASE_URL, { applicationName: 'auth-refresh-sweep', max: 4 });
try {
  // The schema may be newer than this database (or absent): migrations are idempotent.
  await migrate(db, { schema: SCHEMA, migrations });
  // Events (needs-reauth) go to the outbox; the running service's relay publishes them.
  const { ctx } = createAuthApp({
    db,
    logger,
    keyRing: config.keyRing,
    partners: config.partners,
    verifyToken: createTokenVerifier(config.verifier),
    publicUrl: config.env.AUTH_PUBLIC_URL,
    returnUrls: config.returnUrls,
    settings: config.settings,
  });
  const stats = await sweepIdle(ctx);
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  process.exitCode = stats.failed > 0 ? 1 : 0;
} finally {
  await db.destroy();
}
