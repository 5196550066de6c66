import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { declaration as fitbitDeclaration, fitbitSignature } from '@healthsync/partner-fitbit/declaration';
import { type FitbitFakeHandle, startFake as startFitbit } from '@healthsync/partner-fitbit/fake';
import { createDevPartnerEnv, definePartner, type PartnerDeclaration } from '@healthsync/partner-kit';
import {
  createFakeOAuth2Server,
  type FakeOAuth2Server,
  listen as listenFake,
} from '@healthsync/partner-kit/fake';
import { declaration as movesDeclaration } from '@healthsync/partner-moves/declaration';
import { type MovesFakeHandle, startFake as startMoves } from '@healthsync/partner-moves/fake';
import { declaration as runkeeperDeclaration } from '@healthsync/partner-runkeeper/declaration';
import { type RunKeeperFakeHandle, startFake as startRunKeeper } from '@healthsync/partner-runkeeper/fake';
import { declaration as stravaDeclaration } from '@healthsync/partner-strava/declaration';
import { type StravaFakeHandle, startFake as startStrava } from '@healthsync/partner-strava/fake';
import { declaration as withingsDeclaration } from '@healthsync/partner-withings/declaration';
import { startFake as startWithings, type WithingsFakeHandle } from '@healthsync/partner-withings/fake';
import { type Clock, createDb, type Db, type Logger, migrate } from '@healthsync/platform';
import { createTestDatabase, type TestDatabase } from '@healthsync/platform/testing';
import express from 'express';
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import { pino } from 'pino';
import { type AuthApp, type AuthAppDeps, createAuthApp } from '../app.js';
import type { AuthSettings } from '../context.js';
import { createKeyRing, type KeyRing } from '../crypto/key-ring.js';
import { migrations, SCHEMA } from '../db/migrations/index.js';
import { createTokenVerifier } from '../http/caller.js';
import { installPartners } from '../partners.js';
import { parseReturnUrlAllowList } from '../return-url.js';
import { createOpenApiChecker, type OpenApiChecker } from './openapi-check.js';

/**
 * Test support: the auth service in-process on a real database (one per test file), with partner
 * fakes over real HTTP on 127.0.0.1. Every API response goes through the OpenAPI checker.
 */

export const JWT_SECRET = 'test-only-jwt-secret-0123456789abcdef';
export const RETURN_ORIGIN = 'https://app.example.test';
export const RETURN_URL = `${RETURN_ORIGIN}/settings/partners`;

export interface PartnerSetup<H = unknown> {
  readonly declaration: PartnerDeclaration;
  start(redirectUri: string): Promise<{ env: Record<string, string>; handle: H; close(): Promise<void> }>;
}

/* ------------------------------------------------------------------ partner setups */

export const withingsSetup: PartnerSetup<WithingsFakeHandle> = {
  declaration: withingsDeclaration,
  async start(redirectUri) {
    const fake = await startWithings({ redirectUris: [redirectUri], demoUsers: 0 });
    return {
      env: createDevPartnerEnv(withingsDeclaration, fake.url, {
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
      }),
      handle: fake,
      close: () => fake.close(),
    };
  },
};

export const runkeeperSetup: PartnerSetup<RunKeeperFakeHandle> = {
  declaration: runkeeperDeclaration,
  async start(redirectUri) {
    const fake = await startRunKeeper({ redirectUris: [redirectUri], demoData: false });
    return {
      env: createDevPartnerEnv(runkeeperDeclaration, fake.url, {
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
      }),
      handle: fake,
      close: () => fake.close(),
    };
  },
};

export const WEBHOOK_VERIFY_TOKEN = 'webhook-verify-token-0123';

export const fitbitSetup: PartnerSetup<FitbitFakeHandle> = {
  declaration: fitbitDeclaration,
  async start(redirectUri) {
    const fake = await startFitbit({ redirectUris: [redirectUri], seed: false });
    return {
      env: createDevPartnerEnv(fitbitDeclaration, fake.url, {
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        webhookVerifyToken: WEBHOOK_VERIFY_TOKEN,
      }),
      handle: fake,
      close: () => fake.close(),
    };
  },
};

export const movesSetup: PartnerSetup<MovesFakeHandle> = {
  declaration: movesDeclaration,
  async start(redirectUri) {
    const fake = await startMoves({ redirectUris: [redirectUri], demoData: false });
    return {
      env: createDevPartnerEnv(movesDeclaration, fake.url, {
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
      }),
      handle: fake,
      close: () => fake.close(),
    };
  },
};

export const stravaSetup: PartnerSetup<StravaFakeHandle> = {
  declaration: stravaDeclaration,
  async start(redirectUri) {
    const fake = await startStrava({ redirectUris: [redirectUri], seed: false });
    return {
      env: createDevPartnerEnv(stravaDeclaration, fake.url, {
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        webhookVerifyToken: WEBHOOK_VERIFY_TOKEN,
      }),
      handle: fake,
      close: () => fake.close(),
    };
  },
};

export interface KitFakeHandle {
  readonly url: string;
  readonly oauth: FakeOAuth2Server;
  readonly clientSecret: string;
  /** Token-endpoint requests so far. */
  readonly tokenCalls: () => number;
  /** The next `count` token-endpoint requests answer this 5xx. */
  failTokenNext(count: number, status?: number): void;
}

/**
 * A plain, standards-compliant OAuth 2.0 partner (RFC 6749 + PKCE S256 + RFC 7009, HTTP Basic
 * client auth, single-use rotating refresh tokens), built from the kit's fake server. `delayMs`
 * slows the token endpoint, so concurrent callers really overlap a refresh.
 */
export const acmeDeclaration = definePartner({
  id: 'acme',
  displayName: 'Acme (plain OAuth 2.0)',
  apiUrl: 'https://api.acme.test',
  docs: 'https://www.rfc-editor.org/rfc/rfc6749',
  auth: {
    current: 'oauth2',
    generations: {
      oauth2: {
        kind: 'oauth2',
        authorizeUrl: 'https://acme.test/oauth/authorize',
        tokenUrl: 'https://acme.test/oauth/token',
        revokeUrl: 'https://acme.test/oauth/revoke',
        scopes: ['read', 'write'],
        scopeSeparator: ' ',
        pkce: true,
        clientAuth: 'basic',
        refresh: 'rotating',
        externalUserId: (t) => (typeof t.user_id === 'string' ? t.user_id : undefined),
      },
    },
  },
  capabilities: {
    measurement: { poll: true, push: true, update: true, delete: true },
    exercise: { poll: true, push: false, update: false, delete: false },
  },
  rateLimits: [],
});

export function kitOAuth2Setup(
  declaration: PartnerDeclaration,
  options: {
    delayMs?: number;
    accessTokenTtlSeconds?: number;
    verifyToken?: string;
    clock?: { now(): Date };
  } = {},
): PartnerSetup<KitFakeHandle> {
  const gen = declaration.auth.generations[declaration.auth.current];
  if (gen?.kind !== 'oauth2') throw new TypeError('kitOAuth2Setup needs an OAuth 2.0 partner');
  const path = (u: string) => new URL(u).pathname;
  return {
    declaration,
    async start(redirectUri) {
      const clientId = `${declaration.id}-client`;
      const clientSecret = `${declaration.id}-secret-${randomBytes(4).toString('hex')}`;
      const oauth = createFakeOAuth2Server({
        partner: declaration.id,
        clientId,
        clientSecret,
        redirectUris: [redirectUri],
        authorizePath: path(gen.authorizeUrl),
        tokenPath: path(gen.tokenUrl),
        ...(gen.revokeUrl ? { revokePath: path(gen.revokeUrl) } : {}),
        clientAuth: gen.clientAuth,
        pkce: gen.pkce ? 'required' : 'none',
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
        refresh: gen.refresh === 'none' ? 'none' : gen.refresh,
        scopeSeparator: gen.scopeSeparator,
        tokenFields: (userId) => ({ user_id: userId }),
        ...(options.clock ? { clock: options.clock } : {}),
      });
      const app = express();
      let failing = { count: 0, status: 503 };
      app.use(path(gen.tokenUrl), (_req, res, next) => {
        if (failing.count > 0) {
          failing.count--;
          res.status(failing.status).type('text/html').send('<h1>Service Unavailable</h1>');
          return;
        }
        if (options.delayMs) setTimeout(next, options.delayMs);
        else next();
      });
      app.use(oauth.router);
      const server = await listenFake(app);
      return {
        env: createDevPartnerEnv(declaration, server.url, {
          clientId,
          clientSecret,
          ...(options.verifyToken ? { webhookVerifyToken: options.verifyToken } : {}),
        }),
        handle: {
          url: server.url,
          oauth,
          clientSecret,
          tokenCalls: () => oauth.tokenEndpointCalls(),
          failTokenNext: (count, status = 503) => {
            failing = { count, status };
          },
        },
        close: () => server.close(),
      };
    },
  };
}

export const acmeSetup = (options: Parameters<typeof kitOAuth2Setup>[1] = {}) =>
  kitOAuth2Setup(acmeDeclaration, options);

/** Fitbit's declaration against a kit fake with Fitbit's auth (PKCE, Basic, rotating); signs webhooks. */
export const fitbitKitSetup = (verifyToken = 'fitbit-verify-code') =>
  kitOAuth2Setup(fitbitDeclaration, { verifyToken });
export { fitbitSignature };

/* ------------------------------------------------------------------ logs */

export class MemoryLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  text(): string {
    return this.lines.join('');
  }
}

/* ------------------------------------------------------------------ the harness */

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface ApiRequest {
  method?: string;
  token?: string | null;
  json?: unknown;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Harness<H extends Record<string, unknown>> {
  readonly url: string;
  readonly db: Db;
  readonly database: TestDatabase;
  readonly auth: AuthApp;
  readonly keyRing: KeyRing;
  readonly fakes: H;
  readonly env: Record<string, string>;
  readonly log: MemoryLog;
  readonly openApi: OpenApiChecker;
  userToken(userId: string, options?: { expiresInSeconds?: number; secret?: string }): Promise<string>;
  serviceToken(): Promise<string>;
  /** Calls the service and checks the response against its OpenAPI document. */
  api(path: string, request?: ApiRequest): Promise<ApiResponse>;
  /** Another service instance (own pool, own in-process state) on the same database. */
  spawnInstance(
    overrides?: Partial<AuthAppDeps>,
  ): Promise<{ url: string; auth: AuthApp; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface HarnessOptions<S extends Record<string, PartnerSetup>> {
  partners: S;
  keyRing?: KeyRing;
  clock?: Clock;
  settings?: Partial<AuthSettings>;
  rateLimitPerMinute?: number | null;
  trustProxy?: number | readonly string[];
  bodyLimit?: string;
  poolSize?: number;
  /** Default: everything at trace level into `log` (tests search it for secrets). */
  logger?: Logger;
}

export function randomKeyRing(
  ids: readonly string[] = ['k1'],
  primary = ids[ids.length - 1] ?? 'k1',
): KeyRing {
  return createKeyRing(new Map(ids.map((id) => [id, randomBytes(32)])), primary);
}

type Handles<S> = { [K in keyof S]: S[K] extends PartnerSetup<infer H> ? H : never };

/** A server whose handler is set later (the public URL must exist before the fakes start). */
async function deferredServer() {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else {
      res.statusCode = 503;
      res.end();
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setHandler(h: (req: IncomingMessage, res: ServerResponse) => void) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function startHarness<S extends Record<string, PartnerSetup>>(
  options: HarnessOptions<S>,
): Promise<Harness<Handles<S>>> {
  const front = await deferredServer();
  const started: { env: Record<string, string>; handle: unknown; close(): Promise<void> }[] = [];
  const fakes: Record<string, unknown> = {};
  const declarations: PartnerDeclaration[] = [];
  let env: Record<string, string> = {};
  for (const [name, setup] of Object.entries(options.partners)) {
    const s = await setup.start(`${front.url}/v1/oauth/${setup.declaration.id}/callback`);
    started.push(s);
    fakes[name] = s.handle;
    declarations.push(setup.declaration);
    env = { ...env, ...s.env };
  }
  // The service's own pool (its hot statements kept prepared, as in production); the test
  // database's pool stays idle.
  const database = await createTestDatabase({ poolSize: 1 });
  const db = createDb(database.url, { max: options.poolSize ?? 10 });
  await migrate(db, { schema: SCHEMA, migrations });
  const keyRing = options.keyRing ?? randomKeyRing();
  const log = new MemoryLog();
  const logger = options.logger ?? pino({ level: 'trace' }, log);
  const partners = installPartners(declarations, env);
  const verifyToken = createTokenVerifier({ secret: JWT_SECRET });
  const returnUrls = parseReturnUrlAllowList(`${RETURN_ORIGIN}/settings/`);
  const baseDeps: AuthAppDeps = {
    db,
    logger,
    keyRing,
    partners,
    verifyToken,
    publicUrl: front.url,
    returnUrls,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    rateLimitPerMinute: options.rateLimitPerMinute === undefined ? null : options.rateLimitPerMinute,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
  };
  const auth = createAuthApp(baseDeps);
  front.setHandler(auth.app);
  const openApi = createOpenApiChecker(auth.openApi);
  const secretKey = new TextEncoder().encode(JWT_SECRET);
  const sign = async (claims: Record<string, unknown>, sub: string, expiresIn: number, secret?: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
      .sign(secret ? new TextEncoder().encode(secret) : secretKey);
  const instances: { close(): Promise<void> }[] = [];

  return {
    url: front.url,
    db,
    database,
    auth,
    keyRing,
    fakes: fakes as Handles<S>,
    env,
    log,
    openApi,
    userToken: (userId, o = {}) => sign({}, userId, o.expiresInSeconds ?? 600, o.secret),
    serviceToken: () => sign({ role: 'service' }, 'sync-worker', 600),
    async api(path, request = {}) {
      const method = request.method ?? 'GET';
      const headers: Record<string, string> = { ...(request.headers ?? {}) };
      if (request.token) headers.authorization = `Bearer ${request.token}`;
      let body: string | Buffer | undefined = request.body;
      if (request.json !== undefined) {
        body = JSON.stringify(request.json);
        headers['content-type'] ??= 'application/json';
      }
      if (request.contentType) headers['content-type'] = request.contentType;
      const res = await fetch(`${front.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : new Uint8Array(body) } : {}),
        redirect: 'manual',
      });
      const text = await res.text();
      openApi.check({
        method,
        path: new URL(path, front.url).pathname,
        status: res.status,
        contentType: res.headers.get('content-type'),
        body: text,
      });
      return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
    },
    async spawnInstance(overrides = {}) {
      const otherDb = createDb(database.url, { max: options.poolSize ?? 10 });
      const other = createAuthApp({ ...baseDeps, db: otherDb, ...overrides });
      const server = await listenFake(other.app);
      const instance = {
        url: server.url,
        auth: other,
        close: async () => {
          await server.close();
          await otherDb.destroy();
        },
      };
      instances.push(instance);
      return instance;
    },
    async close() {
      for (const i of instances) await i.close();
      await front.close();
      for (const s of started) await s.close();
      await db.destroy();
      await database.drop();
    },
  };
}

/* ------------------------------------------------------------------ flows */

export interface ConnectResult {
  readonly status: 'connected' | 'denied' | 'error' | string;
  /** Our callback URL the partner sent the browser to. */
  readonly callbackUrl: URL;
  readonly returnLocation: string;
}

/** Ask for the consent URL (201), or throw with the problem. */
export async function beginConnect(
  h: Harness<Record<string, unknown>>,
  userId: string,
  partner: string,
  body: Record<string, unknown> = { returnUrl: RETURN_URL },
): Promise<{ authorizeUrl: string; expiresAt: string }> {
  const res = await h.api(`/v1/users/${encodeURIComponent(userId)}/connections/${partner}`, {
    method: 'POST',
    token: await h.userToken(userId),
    json: body,
  });
  if (res.status !== 201) throw new Error(`connect answered ${res.status}: ${res.text}`);
  return res.json();
}

/** The partner's consent page, decided automatically (the fakes' `auto` switch): our callback URL. */
export async function consent(
  authorizeUrl: string,
  options: { decision?: 'allow' | 'deny'; user?: string } = {},
): Promise<URL> {
  const u = new URL(authorizeUrl);
  u.searchParams.set('auto', options.decision ?? 'allow');
  if (options.user) u.searchParams.set('fake_user', options.user);
  const res = await fetch(u, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || !location)
    throw new Error(`consent answered ${res.status}: ${await res.text()}`);
  return new URL(location, u);
}

/** Follow the partner's redirect to our callback; returns the status we sent the browser back with. */
export async function callback(
  h: Harness<Record<string, unknown>>,
  callbackUrl: URL,
): Promise<ConnectResult> {
  const res = await h.api(`${callbackUrl.pathname}${callbackUrl.search}`);
  if (res.status !== 302) return { status: `http_${res.status}`, callbackUrl, returnLocation: res.text };
  const location = res.headers.get('location') ?? '';
  return {
    status: new URL(location).searchParams.get('status') ?? '',
    callbackUrl,
    returnLocation: location,
  };
}

/** connect -> consent -> callback, end to end. */
export async function connectThrough(
  h: Harness<Record<string, unknown>>,
  userId: string,
  partner: string,
  options: { user?: string; generation?: string; dataTypes?: unknown } = {},
): Promise<ConnectResult> {
  const { authorizeUrl } = await beginConnect(h, userId, partner, {
    returnUrl: RETURN_URL,
    ...(options.generation ? { generation: options.generation } : {}),
    ...(options.dataTypes ? { dataTypes: options.dataTypes } : {}),
  });
  const back = await consent(authorizeUrl, options.user ? { user: options.user } : {});
  return callback(h, back);
}

/** Every credential row, raw (for "nothing stored" assertions). */
export async function credentialCount(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from auth.credentials`.execute(db);
  return rows[0]?.n ?? 0;
}

export async function outboxEvents(
  db: Db,
  type?: string,
): Promise<{ type: string; routing_key: string; envelope: { payload: Record<string, unknown> } }[]> {
  const filter = type ? sql`where type = ${type}` : sql``;
  const { rows } = await sql<{
    type: string;
    routing_key: string;
    envelope: { payload: Record<string, unknown> };
  }>`
    select type, routing_key, envelope from auth.outbox ${filter} order by seq`.execute(db);
  return rows;
}
