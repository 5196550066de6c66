import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;

function composeCommand(): string[] {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0)
    return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  throw new Error(
    'neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)',
  );
}

describe('docker-compose.yml', () => {
  it('is valid for docker compose', () => {
    const [cmd, ...args] = composeCommand();
    const result = spawnSync(cmd!, [...args, 'config', '-q'], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs one sync-worker and one fake per installed partner, and every command exists', () => {
    const compose = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8')) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
    };
    const partners = ['withings', 'fitbit', 'runkeeper', 'moves', 'strava'];
    for (const p of partners) {
      expect(compose.services[`sync-worker-${p}`]?.environment?.PARTNER).toBe(p);
      expect(compose.services[`fake-${p}`]).toBeDefined();
    }
    for (const [name, service] of Object.entries(compose.services)) {
      const script = service.command?.find((part) => part.endsWith('.ts'));
      if (script) expect(existsSync(`${root}/${script}`), `${name}: ${script}`).toBe(true);
    }
  });
});
