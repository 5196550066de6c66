import { parseArgs } from 'node:util';
import { baseEnv, createDb, envInt, exitOnEnvError, loadEnv } from '@healthsync/platform';
import { z } from 'zod';
import { migrateAppStore } from './db/migrations/index.js';
import { seedDemo } from './seed.js';

/**
 * Local runs and demos only (in production the app owns its tables):
 *   pnpm --filter @healthsync/app-store migrate
 *   pnpm --filter @healthsync/app-store seed -- --users 100 --days 30
 */
const Args = z.object({
  command: z.enum(['migrate', 'seed']),
  users: envInt(10),
  days: envInt(14),
});

async function main(): Promise<void> {
  const env = (() => {
    try {
      return loadEnv(baseEnv.pick({ DATABASE_URL: true }));
    } catch (error) {
      return exitOnEnvError(error);
    }
  })();
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    allowPositionals: true,
    options: { users: { type: 'string' }, days: { type: 'string' } },
  });
  const args = Args.parse({ command: positionals[0], users: values.users, days: values.days });
  const db = createDb(env.DATABASE_URL, { max: 2, applicationName: 'app-store-cli' });
  try {
    const ran = await migrateAppStore(db);
    process.stdout.write(
      `shapeup migrations run: ${ran.length === 0 ? 'none (up to date)' : ran.join(', ')}\n`,
    );
    if (args.command === 'seed') {
      const result = await seedDemo(db, { users: args.users, days: args.days });
      process.stdout.write(`seeded ${JSON.stringify(result)}\n`);
    }
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
