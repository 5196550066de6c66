import { z } from 'zod';

export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parse the environment once, at start, reporting every missing or invalid variable in one error
 * (CONVENTIONS.md "Services"). Services call this from `env.ts` and exit on EnvError.
 */
export function loadEnv<S extends z.ZodObject>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  throw new EnvError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
}

/** Booleans are parsed explicitly: only `true`/`false`/`1`/`0` are accepted. */
export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const envInt = (defaultValue: number) => z.coerce.number().int().default(defaultValue);

/** The variables every service shares (DESIGN.md §9). */
export const baseEnv = z.object({
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  AMQP_URL: z.url().default('amqp://guest:guest@127.0.0.1:5672'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Print the error and exit: for `main.ts` only. */
export function exitOnEnvError(error: unknown): never {
  if (error instanceof EnvError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  throw error;
}
