// `npm start` on a fresh clone: Node 22 + pnpm, dependencies, PostgreSQL and RabbitMQ (the local
// servers, or docker compose when a Docker engine answers), then the whole platform with a demo.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { ensureToolchain } from './toolchain.mjs';

const env = ensureToolchain();
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', env, ...opts }).status ?? 1;

if (!existsSync(new URL('../node_modules/.modules.yaml', import.meta.url))) {
  if (run('pnpm', ['install', '--frozen-lockfile']) !== 0) process.exit(1);
}

const answers = (url, fallbackPort) =>
  new Promise((resolve) => {
    const u = new URL(url);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || fallbackPort), timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const amqpUrl = env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
let [pgOk, mqOk] = await Promise.all([answers(databaseUrl, 5432), answers(amqpUrl, 5672)]);
if (!pgOk || !mqOk) {
  const dockerEngine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  if (dockerEngine) {
    console.log('PostgreSQL or RabbitMQ does not answer: starting them with docker compose');
    run('docker', ['compose', 'up', '-d', '--wait', 'postgres', 'rabbitmq']);
    env.DATABASE_URL ??= 'postgres://postgres:postgres@127.0.0.1:5432/healthsync';
    [pgOk, mqOk] = await Promise.all([answers(env.DATABASE_URL, 5432), answers(amqpUrl, 5672)]);
  }
}
if (!pgOk || !mqOk) {
  console.error('Healthsync needs PostgreSQL and RabbitMQ, and cannot reach:');
  if (!pgOk)
    console.error(
      `  - PostgreSQL at ${databaseUrl} (set DATABASE_URL, or install PostgreSQL 15+: apt-get install postgresql)`,
    );
  if (!mqOk)
    console.error(
      `  - RabbitMQ at ${amqpUrl} (set AMQP_URL, or install RabbitMQ 3.10+: apt-get install rabbitmq-server)`,
    );
  console.error('or run a Docker engine, and `npm start` starts both from docker-compose.yml.');
  process.exit(1);
}
process.exit(run('pnpm', ['exec', 'tsx', 'scripts/platform.ts', ...process.argv.slice(2)]));
