import { baseEnv, envInt, loadEnv } from '@healthsync/platform';
import { z } from 'zod';

export const WorkerEnv = baseEnv.extend({
  PARTNER: z.string().regex(/^[a-z][a-z0-9-]+$/, 'PARTNER must name an installed partner (e.g. withings)'),
  PORT: envInt(8090),
  AUTH_INTERNAL_URL: z.url().default('http://127.0.0.1:8080'),
  AUTH_JWT_SECRET: z.string().min(32, 'AUTH_JWT_SECRET must be at least 32 characters'),
  SYNC_CONCURRENCY: envInt(16),
  SYNC_MAX_PUSH_ATTEMPTS: envInt(8),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

export const loadWorkerEnv = (source: NodeJS.ProcessEnv = process.env) => loadEnv(WorkerEnv, source);
