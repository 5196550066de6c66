// `pnpm --filter @healthsync/auth rewrap`: move every sealed value to the primary key, online.
// Needs DATABASE_URL, AUTH_ENCRYPTION_KEYS (old and new keys) and AUTH_ENCRYPTION_PRIMARY_KEY.
import {
  baseEnv,
  createDb,
  createLogger,
  EnvError,
  exitOnEnvError,
  loadEnv,
  migrate,
} from '@healthsync/platform';
import { z } from 'zod';
import { KeyRingError, parseKeyRing } from '../crypto/key-ring.js';
import { migrations, SCHEMA } from '../db/migrations/index.js';
import { rewrap } from '../domain/rewrap.js';

const RewrapEnv = baseEnv.extend({
  AUTH_ENCRYPTION_KEYS: z.string().min(1),
  AUTH_ENCRYPTION_PRIMARY_KEY: z.string().min(1),
  REWRAP_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
});

let env: z.infer<typeof RewrapEnv>;
let keyRing: ReturnType<typeof parseKeyRing>;
try {
  env = loadEnv(RewrapEnv);
  try {
    keyRing = parseKeyRing(env.AUTH_ENCRYPTION_KEYS, env.AUTH_ENCRYPTION_PRIMARY_KEY);
  } catch (e) {
    if (e instanceof KeyRingError) throw new EnvError([e.message]);
    throw e;
  }
} catch (e) {
  exitOnEnvError(e);
}
const logger = createLogger('auth-rewrap', env.LOG_LEVEL);
const db = createDb(env.DATABASE_URL, { applicationName: 'auth-rewrap', max: 2 });
try {
  // The schema may be newer than this database (or absent): migrations are idempotent.
  await migrate(db, { schema: SCHEMA, migrations });
  const stats = await rewrap({ db, keyRing, logger }, { batchSize: env.REWRAP_BATCH_SIZE });
  logger.info({ ...stats }, 'rewrap finished');
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  process.exitCode = stats.failed > 0 ? 1 : 0;
} finally {
  await db.destroy();
}
