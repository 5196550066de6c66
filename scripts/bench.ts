// `pnpm bench <name>` runs the benchmark `<name>.bench.ts` found in a `bench/` folder of any
// workspace package (e.g. packages/platform/bench/bus.bench.ts). Each benchmark prints its figures
// and a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benches = new Map<string, string>();
for (const group of ['packages', 'services', 'partners']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const pkg of readdirSync(dir)) {
    const benchDir = join(dir, pkg, 'bench');
    if (!existsSync(benchDir)) continue;
    for (const f of readdirSync(benchDir))
      if (f.endsWith('.bench.ts')) benches.set(f.replace(/\.bench\.ts$/, ''), join(benchDir, f));
  }
}
const name = process.argv[2];
if (!name || !benches.has(name)) {
  console.error(
    `usage: pnpm bench <name> [args]\navailable: ${[...benches.keys()].sort().join(', ') || '(none)'}`,
  );
  process.exit(name ? 1 : 0);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', benches.get(name)!, ...process.argv.slice(3)],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
