import type { DataKind } from '@healthsync/contracts';
import type { WebhookRequest } from '../define-partner.js';

/** Time for fakes: token expiry, code TTLs and rate windows read it (tests move it). */
export interface FakeClock {
  now(): Date;
}

export const systemFakeClock: FakeClock = { now: () => new Date() };

/** What a test can do to a running partner fake. */
export interface FakeControls {
  /** Create a partner-side user (or make sure it exists); returns the partner's id for them. */
  createUser(externalUserId?: string): string;
  /** Every access token of this user now answers as expired (a refresh is needed). */
  expireAccessTokens(externalUserId: string): void;
  /** The user revoked our app: every token and refresh token of theirs stops working. */
  revokeUser(externalUserId: string): void;
  /** The next `count` API calls fail with this 5xx status (default 503). */
  failNext(count: number, status?: number): void;
  /** The next `count` API calls (default 1) are rate limited, in the partner's own way, for this long. */
  rateLimitNext(retryAfterSeconds: number, count?: number): void;
  /** How many requests reached the token endpoint(s) so far. */
  tokenEndpointCalls(): number;
  /**
   * A notification as the partner would send it for this user and kind (signed when the partner
   * signs), for webhook conformance. Absent when the partner has no webhooks.
   */
  notification?(externalUserId: string, kind: DataKind): WebhookRequest;
}

/** A running partner fake. */
export interface FakeHandle {
  /** Base URL (http://127.0.0.1:<port>); the fake serves the real partner's paths under it. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly controls: FakeControls;
  close(): Promise<void>;
}

/**
 * Every partner exports `startFake(options): Promise<FakeHandle>` from
 * `partners/<id>/src/fake/index.ts`.
 */
export interface StartFakeOptions {
  port?: number;
  /** Seed for generated data (same seed, same data). */
  seed?: number;
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs (exact match). Default: any http://127.0.0.1 or localhost URI. */
  redirectUris?: readonly string[];
  clock?: FakeClock;
}

export type StartFake = (options?: StartFakeOptions) => Promise<FakeHandle>;
