// Test support: a real PostgreSQL database with the app's and the worker's schemas, partner fakes
// over real HTTP, credentials obtained through each partner's real OAuth flow against its fake,
// and the sync worker's own code driven as the bus would drive it. Nothing of ours is mocked.
import { APP_SCHEMA, APP_TABLES, migrateAppStore, readChangesAfter } from '@healthsync/app-store';
import type { DataKind, EventPayload } from '@healthsync/contracts';
import {
  createDevPartnerEnv,
  createPkcePair,
  oauth1AccessToken,
  oauth1AuthorizeUrl,
  oauth1RequestToken,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2Refresh,
  type PartnerApi,
  PartnerError,
  type ResolvedPartner,
  randomState,
  resolvePartnerConfig,
} from '@healthsync/partner-kit';
import { submitConsent } from '@healthsync/partner-kit/fake';
import { apiOf } from '@healthsync/partners/apis';
import { type FakeId, fakes } from '@healthsync/partners/fakes';
import {
  type Clock,
  createDb,
  type Db,
  type Logger,
  migrate,
  sql,
  withTransaction,
} from '@healthsync/platform';
import { createTestDatabase, type TestDatabase } from '@healthsync/platform/testing';
import { pino } from 'pino';
import type { CredentialsClient, WorkerCredentials } from '../credentials.js';
import { migrations, SCHEMA } from '../db/migrations/index.js';
import { onConnected, onPreferencesChanged } from '../handlers/connection.handler.js';
import { type DataChangedOutcome, onDataChanged } from '../handlers/data-changed.handler.js';
import { partnerHttpFactory } from '../partner-http.js';
import { runSync, type SyncDeps, type SyncResult } from '../sync-task.js';

export type FakeOf<K extends FakeId> = Awaited<ReturnType<(typeof fakes)[K]>>;
export type FakeOptionsOf<K extends FakeId> = NonNullable<Parameters<(typeof fakes)[K]>[0]>;

/**
 * A fresh database migrated like production: the app's tables and the worker's schema; `db` is
 * a pool as the worker's main creates it (hot statements kept prepared).
 */
export async function createSyncTestDatabase(): Promise<TestDatabase> {
  const t = await createTestDatabase({ poolSize: 1 });
  await migrateAppStore(t.db);
  await migrate(t.db, { schema: SCHEMA, migrations });
  const db = createDb(t.url, { max: 8 });
  return {
    name: t.name,
    url: t.url,
    db,
    drop: async () => {
      await db.destroy();
      await t.drop();
    },
  };
}

/** A logger whose lines tests can read (JSON objects), and that prints nothing. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines };
}

/** A clock that reads the real time plus an offset tests can move forward (backoff expiry). */
export class SkewClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

const redirectUri = (partner: string) => `http://127.0.0.1:9/v1/oauth/${partner}/callback`;

interface Held {
  generation: string;
  accessToken: string;
  tokenSecret?: string;
  refreshToken?: string;
  expiresAt?: Date;
  externalUserId: string;
}

/**
 * What the auth service does for the worker, done against the partner's fake: a connection is made
 * through the partner's real authorization flow (consent page over HTTP, code exchange or OAuth
 * 1.0a token exchange, with the kit's functions), and `get({force})` refreshes with the partner's
 * token endpoint. Speaks the worker's `CredentialsClient` interface.
 */
export class FakeAccountCredentials implements CredentialsClient {
  private readonly held = new Map<string, Held>();
  constructor(private readonly resolved: ResolvedPartner) {}

  /** Authorize `externalUser` (a partner-side account) for our user; returns the partner's id for them. */
  async connect(userId: string, externalUser: string, generation = this.resolved.current): Promise<Held> {
    const gen = this.resolved.generations[generation];
    if (!gen) throw new Error(`unknown generation ${generation}`);
    let held: Held;
    if (gen.kind === 'oauth2') {
      const state = randomState();
      const pkce = gen.pkce ? await createPkcePair() : undefined;
      const url = oauth2AuthorizeUrl(this.resolved, generation, {
        redirectUri: redirectUri(this.resolved.id),
        state,
        ...(pkce ? { codeChallenge: pkce.challenge } : {}),
      });
      const callbackUrl = await submitConsent(url, { user: externalUser });
      const tokens = await oauth2ExchangeCode(this.resolved, generation, {
        callbackUrl,
        expectedState: state,
        redirectUri: redirectUri(this.resolved.id),
        ...(pkce ? { codeVerifier: pkce.verifier } : {}),
      });
      held = {
        generation,
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
        externalUserId: tokens.externalUserId ?? externalUser,
      };
    } else {
      const temp = await oauth1RequestToken(this.resolved, generation, {
        callbackUrl: redirectUri(this.resolved.id),
      });
      const back = await submitConsent(oauth1AuthorizeUrl(this.resolved, generation, temp.token), {
        user: externalUser,
      });
      const access = await oauth1AccessToken(this.resolved, generation, {
        ...temp,
        verifier: back.searchParams.get('oauth_verifier') ?? '',
      });
      held = {
        generation,
        accessToken: access.token,
        tokenSecret: access.tokenSecret,
        externalUserId: access.externalUserId ?? externalUser,
      };
    }
    this.held.set(userId, held);
    return held;
  }

  /** Forget a user's tokens (a disconnect). */
  forget(userId: string): void {
    this.held.delete(userId);
  }

  async get(_partner: string, userId: string, options: { force?: boolean } = {}): Promise<WorkerCredentials> {
    const h = this.held.get(userId);
    if (!h) throw new PartnerError('auth_revoked', `no credentials for ${userId}`);
    const gen = this.resolved.generations[h.generation];
    if (options.force && gen?.kind === 'oauth2' && gen.refresh !== 'none' && h.refreshToken) {
      const next = await oauth2Refresh(this.resolved, h.generation, h.refreshToken);
      h.accessToken = next.accessToken;
      if (next.refreshToken) h.refreshToken = next.refreshToken;
      if (next.expiresAt) h.expiresAt = next.expiresAt;
    }
    return {
      accessToken: h.accessToken,
      ...(h.tokenSecret !== undefined ? { tokenSecret: h.tokenSecret } : {}),
      expiresAt: h.expiresAt?.toISOString() ?? null,
      generation: h.generation,
      externalUserId: h.externalUserId,
    };
  }
}

let fences = 0;
/** Fences as the scheduler hands them out: every dispatch gets a higher one. */
export const nextFence = () => ++fences + Math.floor(Date.now() / 1000) * 1000;

export interface PartnerRig<K extends FakeId> {
  readonly id: K;
  readonly api: PartnerApi;
  readonly fake: FakeOf<K>;
  readonly resolved: ResolvedPartner;
  readonly credentials: FakeAccountCredentials;
  readonly deps: SyncDeps;
  /** The last fence dispatched per user (to redeliver a sync.due). */
  readonly lastFence: Map<string, number>;
  /**
   * Connect our user to a partner account through OAuth and deliver `connection.connected` to the
   * worker. Returns the partner's id for the account.
   */
  connect(
    userId: string,
    options?: {
      externalUser?: string;
      poll?: DataKind[];
      push?: DataKind[];
      generation?: string;
      reconnect?: boolean;
      accountChanged?: boolean;
      /** When auth connected it (`connection.connected`'s occurredAt; default now). */
      at?: Date;
    },
  ): Promise<string>;
  /** Deliver `connection.preferences-changed` (occurred `at`, default now) to the worker. */
  preferencesChanged(
    userId: string,
    dataTypes: { poll: DataKind[]; push: DataKind[] },
    at?: Date,
  ): Promise<void>;
  /** One sync as the scheduler would dispatch it (a new fence each time, unless given). */
  sync(
    userId: string,
    options?: { fence?: number; reasons?: EventPayload<'sync.due'>['reasons'] },
  ): Promise<SyncResult>;
  /** Deliver an app change to this partner's worker. */
  changed(p: EventPayload<'shapeup.data-changed'>): Promise<DataChangedOutcome>;
  close(): Promise<void>;
}

/** Start a partner's fake and a worker for it (in-process, as `runSync` runs in production). */
export async function startPartner<K extends FakeId>(
  id: K,
  env: {
    db: Db;
    clock?: Clock;
    logger?: Logger;
    fakeOptions?: FakeOptionsOf<K>;
    maxPushAttempts?: number;
    fetch?: typeof fetch;
  },
): Promise<PartnerRig<K>> {
  const start = fakes[id] as (o: FakeOptionsOf<K>) => Promise<FakeOf<K>>;
  const fake = await start({ port: 0, ...(env.fakeOptions ?? {}) } as FakeOptionsOf<K>);
  const api = apiOf(id);
  const resolved = resolvePartnerConfig(
    api.declaration,
    createDevPartnerEnv(api.declaration, fake.url, {
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
    }),
  );
  const credentials = new FakeAccountCredentials(resolved);
  const source = `sync-worker.${id}`;
  const deps: SyncDeps = {
    db: env.db,
    api,
    clock: env.clock ?? new SkewClock(),
    logger: env.logger ?? captureLogger().logger,
    source,
    httpFor: partnerHttpFactory({
      api,
      resolved,
      credentials,
      ...(env.fetch ? { fetch: env.fetch } : {}),
      retryBaseMs: 5,
    }),
    ...(env.maxPushAttempts !== undefined ? { maxPushAttempts: env.maxPushAttempts } : {}),
  };
  const lastFence = new Map<string, number>();
  const kinds = (Object.keys(api.declaration.capabilities) as DataKind[]).filter((k) => api.resources[k]);
  return {
    id,
    api,
    fake,
    resolved,
    credentials,
    deps,
    lastFence,
    async connect(userId, o = {}) {
      const held = await credentials.connect(
        userId,
        o.externalUser ?? fake.controls.createUser(),
        o.generation,
      );
      await withTransaction(env.db, (trx) =>
        onConnected(
          trx,
          api.declaration,
          {
            userId,
            partner: id,
            externalUserId: held.externalUserId,
            generation: held.generation,
            dataTypes: {
              poll: o.poll ?? kinds.filter((k) => api.declaration.capabilities[k]?.poll),
              push: o.push ?? kinds.filter((k) => api.declaration.capabilities[k]?.push),
            },
            reconnect: o.reconnect ?? false,
            accountChanged: o.accountChanged ?? false,
          },
          { occurredAt: (o.at ?? new Date()).toISOString(), source },
        ),
      );
      return held.externalUserId;
    },
    preferencesChanged(userId, dataTypes, at = new Date()) {
      return withTransaction(env.db, (trx) =>
        onPreferencesChanged(
          trx,
          api.declaration,
          { userId, partner: id, dataTypes },
          { occurredAt: at.toISOString(), source },
        ),
      );
    },
    async sync(userId, o = {}) {
      const fence = o.fence ?? nextFence();
      lastFence.set(userId, fence);
      // Leased at the worker's time (a test clock moved forward stays inside the lease).
      const now = deps.clock.now();
      return runSync(deps, {
        userId,
        partner: id,
        reasons: o.reasons ?? ['poll', 'push'],
        dueAt: now.toISOString(),
        fence,
        leaseExpiresAt: new Date(now.getTime() + 300_000).toISOString(),
      });
    },
    changed(p) {
      return withTransaction(env.db, (trx) => onDataChanged(trx, api.declaration, p, source));
    },
    close: () => fake.close(),
  };
}

/**
 * The app changes as the change detector emits them: every row written since the last call, read
 * with the app store's change reads (`updated_at`, id), as `shapeup.data-changed` payloads.
 */
export class AppChangeFeed {
  private readonly positions = new Map<DataKind, { us: bigint; id: bigint }>();
  constructor(private readonly db: Db) {}

  async next(): Promise<EventPayload<'shapeup.data-changed'>[]> {
    const out: EventPayload<'shapeup.data-changed'>[] = [];
    for (const kind of ['measurement', 'exercise', 'food'] as const) {
      for (;;) {
        const cursor = this.positions.get(kind) ?? { us: 0n, id: 0n };
        const changes = await readChangesAfter(this.db, kind, cursor, 500);
        for (const c of changes)
          out.push({
            userId: c.userId,
            kind,
            itemId: c.appRowId,
            op: c.deleted ? 'delete' : 'upsert',
            version: c.version.toString(),
          });
        const last = changes.at(-1);
        if (last) this.positions.set(kind, { us: last.version, id: BigInt(last.appRowId) });
        if (changes.length < 500) break;
      }
    }
    return out;
  }
}

/** Deliver every app change since the last call to each worker (as the bus fans them out). */
export async function deliverAppChanges(
  feed: AppChangeFeed,
  rigs: readonly PartnerRig<FakeId>[],
): Promise<number> {
  const changes = await feed.next();
  for (const c of changes) for (const rig of rigs) await rig.changed(c);
  return changes.length;
}

/**
 * Move an app row's last change back by `ms`, as if the app had written it then (a row of the user's
 * history). Returns its version (`updated_at` in µs) as `shapeup.data-changed` carries it.
 */
export async function backdateAppRow(db: Db, kind: DataKind, appRowId: string, ms: number): Promise<string> {
  const r = await sql<{ version: string }>`
    update ${sql.table(`${APP_SCHEMA}.${APP_TABLES[kind]}`)}
    set updated_at = updated_at - ${ms} * interval '1 millisecond' where id = ${appRowId}
    returning (extract(epoch from updated_at) * 1000000)::bigint::text as version`.execute(db);
  const version = r.rows[0]?.version;
  if (version === undefined) throw new Error(`no ${kind} row ${appRowId} to backdate`);
  return version;
}
