import { SYNC_DUE_PREFETCH } from '@healthsync/contracts';
import { checkPartnerConfig } from '@healthsync/partner-kit/declaration';
import { declarations } from '@healthsync/partners/declarations';
import { baseEnv, EnvError, envInt, loadEnv } from '@healthsync/platform';
import { z } from 'zod';

/**
 * Syncs in flight per process. Syncs that start or finish together share one statement (fences,
 * quiet commits), so more in flight means fewer round trips per sync; at most the sync.due queue's
 * declared prefetch.
 */
export const DEFAULT_SYNC_CONCURRENCY = 32;
/** Database connections per process: grouped statements need far fewer than one per sync. */
export const DEFAULT_SYNC_DB_POOL = 12;

export const WorkerEnv = baseEnv.extend({
  PARTNER: z.string().min(1, 'PARTNER must name an installed partner (e.g. withings)'),
  PORT: envInt(8090),
  AUTH_INTERNAL_URL: z.url().default('http://127.0.0.1:8080'),
  AUTH_JWT_SECRET: z.string().min(32, 'AUTH_JWT_SECRET must be at least 32 characters'),
  SYNC_CONCURRENCY: envInt(DEFAULT_SYNC_CONCURRENCY).pipe(z.number().min(1).max(SYNC_DUE_PREFETCH)),
  SYNC_DB_POOL: envInt(DEFAULT_SYNC_DB_POOL).pipe(z.number().min(2).max(100)),
  SYNC_MAX_PUSH_ATTEMPTS: envInt(8).pipe(z.number().min(1).max(100)),
  SYNC_LOG_RETENTION_DAYS: envInt(30).pipe(z.number().min(1).max(3650)),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/**
 * The worker's environment, with every problem reported at once: the variables above, and the
 * partner named by PARTNER must be installed and configured (`PARTNER_<ID>_CLIENT_ID`, ...).
 */
export function loadWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const problems: string[] = [];
  let env: WorkerEnv | undefined;
  try {
    env = loadEnv(WorkerEnv, source);
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    problems.push(...e.problems);
  }
  const partner = source.PARTNER ?? '';
  const declaration = declarations.find((d) => d.id === partner);
  if (!declaration)
    problems.push(
      `PARTNER: "${partner}" is not an installed partner (${declarations.map((d) => d.id).join(', ')})`,
    );
  else problems.push(...checkPartnerConfig(declaration, source).map((p) => `${partner}: ${p}`));
  if (problems.length > 0 || !env) throw new EnvError([...new Set(problems)]);
  return env;
}
