// `pnpm check`: format + lint (Biome), typecheck (tsc -b) and every test tier, reporting every
// failure at once instead of stopping at the first.
import { spawnSync } from 'node:child_process';
import { ensureToolchain } from './toolchain.mjs';

const env = ensureToolchain();
const steps = [
  ['format + lint', ['exec', 'biome', 'check', '.']],
  ['typecheck', ['exec', 'tsc', '-b']],
  ['tests', ['exec', 'vitest', 'run']],
];
const failed = steps
  .filter(([, args]) => (spawnSync('pnpm', args, { stdio: 'inherit', env }).status ?? 1) !== 0)
  .map(([name]) => name);
if (failed.length > 0) {
  console.error(`\npnpm check failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\npnpm check: format, lint, typecheck and tests all pass');
