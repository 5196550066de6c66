import type { Clock, Db, Logger, OutgoingEvent } from '@healthsync/platform';
import { enqueueEvents, type Tx } from '@healthsync/platform';
import type { KeyRing } from './crypto/key-ring.js';
import { SCHEMA } from './db/migrations/index.js';
import type { InstalledPartners } from './partners.js';

export interface AuthSettings {
  /** Lifetime of a pending authorization (`state`). */
  readonly pendingTtlMs: number;
  /** Access tokens expiring within this are refreshed before they are handed out. */
  readonly refreshSkewMs: number;
  /** A refresh lock left by a dead process frees itself after this. */
  readonly lockTtlMs: number;
  /** How long a caller waits for another process's refresh before answering 503. */
  readonly lockWaitMs: number;
  readonly lockPollMs: number;
  /** Consecutive classified auth failures of refreshes before a connection needs re-auth. */
  readonly reauthAfterFailures: number;
  /** A forced refresh right after another refresh reuses that one's token. */
  readonly forceMinIntervalMs: number;
  /** Idle sweep: refresh tokens not refreshed for this long (partners that expire refresh tokens). */
  readonly idleRefreshAfterMs: number;
  /** Timeout of each partner call made while a user waits (code exchange, revoke, refresh). */
  readonly partnerTimeoutSeconds: number;
}

export const defaultSettings: AuthSettings = {
  pendingTtlMs: 10 * 60_000,
  refreshSkewMs: 5 * 60_000,
  lockTtlMs: 30_000,
  lockWaitMs: 20_000,
  lockPollMs: 40,
  reauthAfterFailures: 3,
  forceMinIntervalMs: 10_000,
  idleRefreshAfterMs: 30 * 24 * 3600_000,
  partnerTimeoutSeconds: 15,
};

/** What the service's domain functions share (built once by `createAuthContext`). */
export interface AuthContext {
  readonly db: Db;
  readonly logger: Logger;
  readonly keyRing: KeyRing;
  readonly partners: InstalledPartners;
  readonly clock: Clock;
  /** Public base URL of this service: redirect URIs are `${publicUrl}/v1/oauth/{partner}/callback`. */
  readonly publicUrl: string;
  /** The partner HTTP boundary (global fetch by default). */
  readonly fetch: typeof fetch | undefined;
  readonly settings: AuthSettings;
  /** Called after a transaction that wrote events committed (wakes the outbox relay). */
  readonly onEventsEnqueued: () => void;
  /** In-process single flight of refreshes, by connection. */
  readonly flights: Map<string, Promise<unknown>>;
}

export const SOURCE = 'auth';

export function redirectUriFor(ctx: Pick<AuthContext, 'publicUrl'>, partner: string): string {
  return `${ctx.publicUrl}/v1/oauth/${encodeURIComponent(partner)}/callback`;
}

/** Write events in the caller's transaction (outbox + event log). */
export async function emit(trx: Tx, events: readonly OutgoingEvent[]): Promise<void> {
  await enqueueEvents(trx, SCHEMA, events);
}
