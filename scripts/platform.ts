// The whole platform on one machine (`npm start`): the partner fakes, migrations, every service as
// its own process (one sync-worker per partner), and a demo: users connected through the real
// OAuth flows against the fakes, app data written while partner data flows in, with a live status
// line (syncs per second, groups, recent errors) and where to look.
//
//   npm start [-- --users 12] [--duration-seconds N] [--no-demo] [--real-time]
//
// Environment: DATABASE_URL and AMQP_URL (default: a fresh `healthsync_demo` database and
// `healthsync-demo` vhost on the local servers, recreated on every start, as the fakes start empty
// too), HEALTHSYNC_BASE_PORT (auth on it, scheduler +1, change-detector +2, demo app +3, workers
// +10...; default 8080), HEALTHSYNC_FAKE_BASE_PORT (the fakes, one port each; default 9001),
// HEALTHSYNC_LOG_DIR (every process's log; default <tmp>/healthsync).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrateAppStore, seedDemo } from '@healthsync/app-store';
import { createDevPartnerEnv } from '@healthsync/partner-kit';
import { type FakeHandle, type StartFakeOptions, submitConsent } from '@healthsync/partner-kit/fake';
import { declarations } from '@healthsync/partners/declarations';
import { type FakeId, fakes } from '@healthsync/partners/fakes';
import { createDb, type Db, sql } from '@healthsync/platform';
import { SignJWT } from 'jose';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '12' },
    'duration-seconds': { type: 'string' },
    'no-demo': { type: 'boolean', default: false },
    'real-time': { type: 'boolean', default: false },
  },
});
const Args = z.object({
  users: z.coerce.number().int().min(0).max(1000),
  duration: z.coerce.number().int().positive().optional(),
});
const Env = z.object({
  DATABASE_URL: z.url().optional(),
  AMQP_URL: z.url().optional(),
  AMQP_MANAGEMENT_URL: z.url().default('http://guest:guest@127.0.0.1:15672'),
  HEALTHSYNC_BASE_PORT: z.coerce.number().int().min(1).max(65_400).default(8080),
  HEALTHSYNC_FAKE_BASE_PORT: z.coerce.number().int().min(1).max(65_400).default(9001),
  AUTH_JWT_SECRET: z.string().min(32).default('local-demo-jwt-secret-not-for-production-0123'),
  HEALTHSYNC_LOG_DIR: z.string().min(1).default(join(tmpdir(), 'healthsync')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
const parsedArgs = Args.safeParse({ users: values.users, duration: values['duration-seconds'] });
const parsedEnv = Env.safeParse(process.env);
if (!parsedArgs.success || !parsedEnv.success) {
  for (const issue of [...(parsedArgs.error?.issues ?? []), ...(parsedEnv.error?.issues ?? [])])
    console.error(`  ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const args = parsedArgs.data;
const env = parsedEnv.data;
const demo = !values['no-demo'];
const root = new URL('..', import.meta.url).pathname;

const PORTS = {
  auth: env.HEALTHSYNC_BASE_PORT,
  scheduler: env.HEALTHSYNC_BASE_PORT + 1,
  detector: env.HEALTHSYNC_BASE_PORT + 2,
  app: env.HEALTHSYNC_BASE_PORT + 3,
  worker: (i: number) => env.HEALTHSYNC_BASE_PORT + 10 + i,
  fake: (i: number) => env.HEALTHSYNC_FAKE_BASE_PORT + i,
};
const AUTH_URL = `http://127.0.0.1:${PORTS.auth}`;
const SCHEDULER_URL = `http://127.0.0.1:${PORTS.scheduler}`;
const APP_URL = `http://127.0.0.1:${PORTS.app}`;
const RETURN_URL = `${APP_URL}/connected`;
/** Demo clock: a "minute" of the 5/20/60-minute activity groups lasts this long (real: 60 s). */
const MINUTE_MS = values['real-time'] ? 60_000 : 1_000;
const LOG_DIR = env.HEALTHSYNC_LOG_DIR;

/* ------------------------------------------------------------------ processes */

interface Child {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: WriteStream;
}
const children: Child[] = [];
const recentErrors: string[] = [];
let stopping = false;

function noteError(text: string): void {
  recentErrors.push(text.slice(0, 300));
  if (recentErrors.length > 20) recentErrors.shift();
}

const LogLine = z.looseObject({
  level: z.number(),
  msg: z.string().optional(),
  err: z.union([z.string(), z.looseObject({ message: z.string().optional() })]).optional(),
});

/** Pick errors out of a child's output: pino lines at level error/fatal, and anything not JSON on stderr. */
function watch(
  name: string,
  stream: NodeJS.ReadableStream | null,
  isStderr: boolean,
  log: WriteStream,
): void {
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        if (isStderr && !/^\s+at /.test(line)) noteError(`${name}: ${line}`);
        continue;
      }
      const entry = LogLine.safeParse(json);
      if (entry.success && entry.data.level >= 50) {
        const err = entry.data.err;
        const detail = typeof err === 'string' ? err : err?.message;
        noteError(`${name}: ${entry.data.msg ?? ''}${detail ? ` (${detail})` : ''}`);
      }
    }
  });
}

function startProcess(name: string, script: string, childEnv: Record<string, string>): void {
  const log = createWriteStream(join(LOG_DIR, `${name}.log`), { flags: 'w' });
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...childEnv, LOG_LEVEL: env.LOG_LEVEL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  watch(name, child.stdout, false, log);
  watch(name, child.stderr, true, log);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      noteError(`${name} exited (${code ?? signal})`);
      console.error(`${name} exited (${code ?? signal}); its log: ${join(LOG_DIR, `${name}.log`)}`);
    }
  });
  children.push({ name, child, log });
}

async function waitReady(name: string, url: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const proc = children.find((c) => c.name === name);
  for (;;) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null))
      throw new Error(`${name} exited before it was ready; see ${join(LOG_DIR, `${name}.log`)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${name} was not ready at ${url} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/* ------------------------------------------------------------------ infrastructure */

/** The demo's own database, recreated on every start (the fakes start empty too). */
async function demoDatabase(): Promise<string> {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const server = 'postgres://postgres@127.0.0.1:5432';
  const admin = createDb(`${server}/postgres`, { max: 1 });
  try {
    await sql`drop database if exists healthsync_demo with (force)`.execute(admin);
    await sql`create database healthsync_demo`.execute(admin);
  } finally {
    await admin.destroy();
  }
  return `${server}/healthsync_demo`;
}

/** The demo's own RabbitMQ vhost when the management API answers; otherwise the default vhost. */
async function demoBroker(): Promise<string> {
  if (env.AMQP_URL) return env.AMQP_URL;
  const base = new URL(env.AMQP_MANAGEMENT_URL);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  const call = (method: string, path: string, body?: unknown) =>
    fetch(new URL(`/api${path}`, base), {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
  try {
    await call('DELETE', '/vhosts/healthsync-demo');
    const created = await call('PUT', '/vhosts/healthsync-demo', {});
    const allowed = await call('PUT', '/permissions/healthsync-demo/guest', {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
    if (created.ok && allowed.ok) return 'amqp://guest:guest@127.0.0.1:5672/healthsync-demo';
  } catch {
    // no management API: share the default vhost
  }
  return 'amqp://guest:guest@127.0.0.1:5672';
}

async function serviceToken(sub: string): Promise<string> {
  return new SignJWT({ role: 'service' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(new TextEncoder().encode(env.AUTH_JWT_SECRET));
}

/* ------------------------------------------------------------------ the demo app */

const Created = z.object({ authorizeUrl: z.url() });

/** Ask auth for a consent URL, as the app's backend does for a user who clicks "connect". */
async function startConnect(token: string, userId: string, partner: string): Promise<string> {
  const res = await fetch(`${AUTH_URL}/v1/users/${encodeURIComponent(userId)}/connections/${partner}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ returnUrl: RETURN_URL }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
  return Created.parse(JSON.parse(text)).authorizeUrl;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A stand-in for the app's settings page: the demo users, their connections, and "connect" links
 * that go through the partner fakes' consent pages in the browser; also the OAuth return URL.
 */
function startDemoApp(token: string, users: () => readonly string[]): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', APP_URL);
      const html = (status: number, body: string) =>
        res
          .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Healthsync demo</title></head><body>${body}</body></html>`,
          );
      if (url.pathname === '/connected') {
        const status = url.searchParams.get('status') ?? 'unknown';
        return html(
          200,
          `<h1>Connection: ${escapeHtml(status)}</h1><p><a href="/">Back to the demo users</a></p>`,
        );
      }
      if (url.pathname === '/connect') {
        const user = url.searchParams.get('user') ?? '';
        const partner = url.searchParams.get('partner') ?? '';
        if (!users().includes(user) || !declarations.some((d) => d.id === partner))
          return html(400, '<p>Unknown user or partner.</p>');
        try {
          res.writeHead(303, { location: await startConnect(token, user, partner) }).end();
        } catch (e) {
          html(502, `<p>Auth refused: ${escapeHtml(String(e))}</p>`);
        }
        return;
      }
      if (url.pathname !== '/') return html(404, '<p>Not found.</p>');
      const rows: string[] = [];
      for (const user of users().slice(0, 50)) {
        const r = await fetch(`${AUTH_URL}/v1/users/${encodeURIComponent(user)}/connections`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const list = z
          .object({ connections: z.array(z.looseObject({ partner: z.string(), status: z.string() })) })
          .safeParse(r.ok ? await r.json() : {});
        const status = new Map((list.success ? list.data.connections : []).map((c) => [c.partner, c.status]));
        const cells = declarations.map((d) => {
          const s = status.get(d.id);
          const link = `<a href="/connect?user=${encodeURIComponent(user)}&amp;partner=${d.id}">${s && s !== 'disconnected' ? 'reconnect' : 'connect'}</a>`;
          return `<td>${s ? escapeHtml(s) : '-'} ${link}</td>`;
        });
        rows.push(`<tr><th>${escapeHtml(user)}</th>${cells.join('')}</tr>`);
      }
      html(
        200,
        `<h1>Healthsync demo users</h1><table border="1" cellpadding="4"><tr><th>user</th>${declarations
          .map((d) => `<th>${escapeHtml(d.displayName)}</th>`)
          .join('')}</tr>${rows.join('')}</table>`,
      );
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORTS.app, '127.0.0.1', () => resolve(server));
  });
}

/* ------------------------------------------------------------------ start */

const handles: FakeHandle[] = [];
let db: Db | undefined;
let appServer: Server | undefined;

async function stop(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => {});
  stopping = true;
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  for (const c of children) c.log.end();
  await Promise.allSettled(handles.map((h) => h.close()));
  appServer?.close();
  await db?.destroy();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

mkdirSync(LOG_DIR, { recursive: true });
const startedAt = Date.now();
const DATABASE_URL = await demoDatabase();
const AMQP_URL = await demoBroker();
db = createDb(DATABASE_URL, { max: 3 });

// 1. Partner fakes, each on its port, with the client credentials the services are given.
const partnerEnv: Record<string, string> = {};
const fakeUrls: Record<string, string> = {};
let withingsAccounts: readonly string[] = [];
for (const [i, declaration] of declarations.entries()) {
  const id = declaration.id;
  if (!(id in fakes)) {
    console.error(`no fake for partner ${id}: it is not started`);
    continue;
  }
  const start: (o: StartFakeOptions) => Promise<FakeHandle> = fakes[id as FakeId];
  const options = {
    port: PORTS.fake(i),
    clientId: `healthsync-${id}`,
    clientSecret: `healthsync-${id}-secret`,
  };
  let handle: FakeHandle;
  if (id === 'withings') {
    // Withings gives only its seeded accounts a history: one per demo user.
    const withings = await fakes.withings({ ...options, demoUsers: Math.max(args.users, 1) });
    withingsAccounts = withings.demoUserIds;
    handle = withings;
  } else handle = await start(options);
  handles.push(handle);
  fakeUrls[id] = handle.url;
  Object.assign(
    partnerEnv,
    createDevPartnerEnv(declaration, handle.url, {
      clientId: handle.clientId,
      clientSecret: handle.clientSecret,
      ...(declaration.webhook ? { webhookVerifyToken: `verify-${id}` } : {}),
    }),
  );
}

// 2. The app's tables (the app owns them; each service migrates its own schema when it starts).
await migrateAppStore(db);
// The demo users' app history exists before Healthsync starts, as in the app; what they write
// from now on is what the workers push to their partners.
const seeded =
  demo && args.users > 0
    ? await seedDemo(db, { users: args.users, days: 14 })
    : { users: 0, measurements: 0, foodEntries: 0, exercises: 0 };

// 3. Every service as its own process.
const common = {
  DATABASE_URL,
  AMQP_URL,
  AUTH_JWT_SECRET: env.AUTH_JWT_SECRET,
  ...partnerEnv,
};
startProcess('auth', 'services/auth/src/main.ts', {
  ...common,
  PORT: String(PORTS.auth),
  HOST: '127.0.0.1',
  AUTH_PUBLIC_URL: AUTH_URL,
  AUTH_ENCRYPTION_KEYS: process.env.AUTH_ENCRYPTION_KEYS ?? `demo1:${randomBytes(32).toString('base64')}`,
  AUTH_ENCRYPTION_PRIMARY_KEY: process.env.AUTH_ENCRYPTION_PRIMARY_KEY ?? 'demo1',
  AUTH_RETURN_URL_ALLOWLIST: `${APP_URL}/`,
});
startProcess('scheduler', 'services/scheduler/src/main.ts', {
  ...common,
  PORT: String(PORTS.scheduler),
  SCHEDULER_GROUP_MINUTE_MS: String(MINUTE_MS),
  ...(values['real-time'] ? {} : { SCHEDULER_PUSH_BLOCKADE_MS: '5000' }),
});
startProcess('change-detector', 'services/change-detector/src/main.ts', {
  ...common,
  PORT: String(PORTS.detector),
});
const workers = declarations
  .filter((d) => d.id in fakes)
  .map((d, i) => ({ id: d.id, port: PORTS.worker(i) }));
const startWorker = (w: { id: string; port: number }) =>
  startProcess(`sync-worker.${w.id}`, 'services/sync-worker/src/main.ts', {
    ...common,
    PARTNER: w.id,
    PORT: String(w.port),
    AUTH_INTERNAL_URL: AUTH_URL,
    // A demo's handful of users needs few syncs in parallel; it keeps the connection pools small.
    SYNC_CONCURRENCY: process.env.SYNC_CONCURRENCY ?? '4',
  });
const workerReady = (w: { id: string; port: number }) =>
  waitReady(`sync-worker.${w.id}`, `http://127.0.0.1:${w.port}/readyz`);
try {
  // The workers share the `sync` schema: the first one creates it before the others start, as two
  // processes running `create schema if not exists` at the same moment can collide in PostgreSQL.
  const [first, ...rest] = workers;
  if (first) startWorker(first);
  await Promise.all([
    waitReady('auth', `${AUTH_URL}/readyz`),
    waitReady('scheduler', `${SCHEDULER_URL}/readyz`),
    waitReady('change-detector', `http://127.0.0.1:${PORTS.detector}/readyz`),
    ...(first ? [workerReady(first)] : []),
  ]);
  for (const w of rest) startWorker(w);
  await Promise.all(rest.map(workerReady));
} catch (e) {
  console.error(String(e));
  for (const line of recentErrors) console.error(`  ${line}`);
  await stop(1);
}

const token = await serviceToken('healthsync-demo');
const demoUsers: string[] = [];
appServer = await startDemoApp(token, () => demoUsers);
const hiddenDb = DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
console.log(`
Healthsync is running (started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s).
  demo app      ${APP_URL}/   (demo users; "connect" goes through a partner's consent page)
  auth API      ${AUTH_URL}/v1/partners   (OpenAPI: ${AUTH_URL}/openapi.json)
  scheduler     ${SCHEDULER_URL}/admin/v1/groups   (needs a service JWT)
  metrics       ${[`auth ${PORTS.auth}`, `scheduler ${PORTS.scheduler}`, `change-detector ${PORTS.detector}`, ...workers.map((w) => `${w.id} ${w.port}`)].join(', ')}   (http://127.0.0.1:<port>/metrics)
  sync log      http://127.0.0.1:<worker port>/v1/sync-log/<user id>
  fakes         ${Object.entries(fakeUrls)
    .map(([id, u]) => `${id} ${u}`)
    .join('  ')}
  logs          ${LOG_DIR}/<service>.log
  database      ${hiddenDb}
  RabbitMQ      ${AMQP_URL.replace(/\/\/[^@]*@/, '//')}   (management: http://127.0.0.1:15672)
  demo clock    an activity-group minute lasts ${MINUTE_MS / 1000} s${values['real-time'] ? '' : ' (--real-time for 60 s)'}; partner rate limits are real
`);

// 4. Demo: users with app history, connected through the partners' OAuth consent pages.
if (demo && args.users > 0) {
  for (let n = 1; n <= args.users; n++) demoUsers.push(`demo-${n}`);
  let connected = 0;
  let attempted = 0;
  for (const [n, userId] of demoUsers.entries()) {
    // Everyone has a Withings scale; every other user also uses each other partner in turn.
    const partners = declarations.filter(
      (d, i) => d.id in fakes && (d.id === 'withings' || (n + i) % 2 === 0),
    );
    for (const d of partners) {
      attempted++;
      try {
        const authorizeUrl = await startConnect(token, userId, d.id);
        const account = d.id === 'withings' ? withingsAccounts[n] : undefined;
        const callback = await submitConsent(authorizeUrl, {
          decision: 'allow',
          ...(account ? { user: account } : {}),
        });
        const done = await fetch(callback, { redirect: 'manual' });
        await done.arrayBuffer();
        const status = new URL(done.headers.get('location') ?? '/', APP_URL).searchParams.get('status');
        if (status === 'connected') connected++;
        else noteError(`connect ${userId} to ${d.id}: ended with status=${status}`);
      } catch (e) {
        noteError(`connect ${userId} to ${d.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  console.log(
    `demo: ${demoUsers.length} users (${seeded.measurements} measurements, ${seeded.foodEntries} meals, ${seeded.exercises} workouts in the app), ${connected} of ${attempted} connections made through the partners' OAuth consent pages`,
  );
}

// 5. Live progress until interrupted (or for --duration-seconds): the demo users keep living,
// writing weigh-ins and workouts in the app, which the workers push to their partners.
const Groups = z.object({
  groups: z.array(z.object({ group: z.number(), connections: z.number() })),
  statuses: z.record(z.string(), z.number()),
});
const Sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
function sum(text: string, name: string, label?: [string, string]): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = Sample.exec(line);
    if (!m || m[1] !== name) continue;
    if (label && !(m[2] ?? '').includes(`${label[0]}="${label[1]}"`)) continue;
    total += Number(m[3]);
  }
  return total;
}

const runStarted = Date.now();
let last = { syncs: 0, at: Date.now() };
let tick = 0;
for (;;) {
  await new Promise((r) => setTimeout(r, 5_000));
  tick++;
  if (demo && demoUsers.length > 0) {
    const userId = demoUsers[Math.floor(Math.random() * demoUsers.length)]!;
    try {
      await sql`insert into shapeup.body_measurements (user_id, kind, value, unit, measured_at, utc_offset_minutes)
        values (${userId}, 'weight', ${60 + Math.round(Math.random() * 300) / 10}, 'kg', now(), 60)`.execute(
        db,
      );
      if (tick % 2 === 0)
        await sql`insert into shapeup.exercises
            (user_id, activity_type, name, started_at, utc_offset_minutes, duration_seconds, calories, distance_meters)
          values (${userId}, 'running', 'Lunch run', now() - interval '40 minutes', 60, 1800, 320, 5200)`.execute(
          db,
        );
    } catch (e) {
      noteError(`demo app write for ${userId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const metrics = await Promise.all(
    workers.map((w) =>
      fetch(`http://127.0.0.1:${w.port}/metrics`)
        .then((r) => r.text())
        .catch(() => ''),
    ),
  );
  const syncs = metrics.reduce((n, t) => n + sum(t, 'healthsync_syncs_total'), 0);
  const byOutcome = new Map<string, number>();
  for (const t of metrics)
    for (const line of t.split('\n')) {
      const m = /^healthsync_syncs_total\{.*outcome="([^"]+)".*\}\s+(\S+)/.exec(line);
      if (m?.[1]) byOutcome.set(m[1], (byOutcome.get(m[1]) ?? 0) + Number(m[2]));
    }
  const outcomes = [...byOutcome]
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${o} ${n}`)
    .join(', ');
  const pushed = metrics.reduce(
    (n, t) => n + sum(t, 'healthsync_sync_items_total', ['direction', 'pushed']),
    0,
  );
  const polled = metrics.reduce(
    (n, t) => n + sum(t, 'healthsync_sync_items_total', ['direction', 'polled']),
    0,
  );
  let groups = 'groups unavailable';
  try {
    const res = await fetch(`${SCHEDULER_URL}/admin/v1/groups`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const g = Groups.parse(await res.json());
    groups = `groups ${g.groups.map((x) => `${x.group}:${x.connections}`).join(' ')}${Object.entries(
      g.statuses,
    )
      .filter(([s]) => s !== 'active')
      .map(([s, n]) => ` ${s}:${n}`)
      .join('')}`;
  } catch {}
  const now = Date.now();
  const rate = (syncs - last.syncs) / ((now - last.at) / 1000);
  last = { syncs, at: now };
  console.log(
    `[${new Date().toISOString().slice(11, 19)}] syncs ${syncs} (${rate.toFixed(1)}/s${outcomes ? `; ${outcomes}` : ''}) | items polled ${polled}, pushed ${pushed} | ${groups}`,
  );
  for (const e of recentErrors.splice(0)) console.log(`   recent error: ${e}`);
  if (args.duration !== undefined && now - runStarted >= args.duration * 1000) {
    console.log(
      `stopping after ${args.duration} s: ${syncs} syncs, ${polled} items polled, ${pushed} pushed`,
    );
    await stop(0);
  }
}
