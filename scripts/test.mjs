// `pnpm test` / `npm test`: installs what is missing, typechecks, then runs every test tier
// (unit, then integration against PostgreSQL and RabbitMQ) and reports all failures at once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureToolchain } from './toolchain.mjs';

const env = ensureToolchain();
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;

if (!existsSync(new URL('../node_modules/.modules.yaml', import.meta.url))) {
  if (run('pnpm', ['install', '--frozen-lockfile']) !== 0) process.exit(1);
}
const failures = [];
if (run('pnpm', ['exec', 'tsc', '-b']) !== 0) failures.push('typecheck');
if (run('pnpm', ['exec', 'vitest', 'run', ...process.argv.slice(2)]) !== 0) failures.push('tests');
if (failures.length > 0) {
  console.error(`\nfailed: ${failures.join(', ')}`);
  process.exit(1);
}
