import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { type FakeClock, systemFakeClock } from './types.js';

/**
 * How a fake partner rotates refresh tokens:
 * - `none`: no refresh token (RunKeeper: tokens never expire);
 * - `reusable`: the same refresh token works again and again;
 * - `rotating`: every refresh returns a new refresh token and spends the old one (Fitbit);
 * - `rotating-grace`: as rotating, but the old one keeps working for `graceSeconds` or until
 *   the new access token is first used, whichever comes first (Withings: 8 h).
 */
export type FakeRefreshMode = 'none' | 'reusable' | 'rotating' | 'rotating-grace';

export interface FakeTokenOptions {
  clock?: FakeClock;
  /** Access token lifetime; null: never expires. */
  accessTokenTtlSeconds?: number | null;
  refresh?: FakeRefreshMode;
  graceSeconds?: number;
  /** Token prefix, so a token says which fake issued it when debugging. */
  prefix?: string;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresIn?: number;
  readonly scope: string;
}

export type AuthenticateResult =
  | { ok: true; userId: string; scope: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'revoked' };

export type RefreshResult =
  | { ok: true; userId: string; tokens: IssuedTokens }
  | { ok: false; reason: 'invalid' | 'spent' | 'revoked' };

interface AccessRecord {
  userId: string;
  scope: string;
  expiresAt: number | null;
  used: boolean;
  revoked: boolean;
}

interface RefreshRecord {
  userId: string;
  scope: string;
  revoked: boolean;
  spent: boolean;
  /** rotating-grace: the successor's access token and until when this one still works. */
  successorAccess?: string;
  graceUntil?: number;
}

/** The token store of an OAuth 2.0 fake; API routes authenticate Bearer tokens against it. */
export class FakeTokenRegistry {
  private readonly access = new Map<string, AccessRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly clock: FakeClock;
  readonly refreshMode: FakeRefreshMode;
  private readonly ttl: number | null;
  private readonly grace: number;
  private readonly prefix: string;

  constructor(options: FakeTokenOptions = {}) {
    this.clock = options.clock ?? systemFakeClock;
    this.refreshMode = options.refresh ?? 'rotating';
    this.ttl = options.accessTokenTtlSeconds === undefined ? 3600 : options.accessTokenTtlSeconds;
    this.grace = options.graceSeconds ?? 8 * 3600;
    this.prefix = options.prefix ?? 'fake';
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private token(kind: string): string {
    return `${this.prefix}_${kind}_${randomBytes(20).toString('hex')}`;
  }

  issue(userId: string, scope: string): IssuedTokens {
    const accessToken = this.token('at');
    this.access.set(accessToken, {
      userId,
      scope,
      expiresAt: this.ttl === null ? null : this.now() + this.ttl * 1000,
      used: false,
      revoked: false,
    });
    let refreshToken: string | undefined;
    if (this.refreshMode !== 'none') {
      refreshToken = this.token('rt');
      this.refreshTokens.set(refreshToken, { userId, scope, revoked: false, spent: false });
    }
    return {
      accessToken,
      scope,
      ...(refreshToken ? { refreshToken } : {}),
      ...(this.ttl !== null ? { expiresIn: this.ttl } : {}),
    };
  }

  authenticate(token: string | undefined): AuthenticateResult {
    if (!token) return { ok: false, reason: 'missing' };
    const rec = this.access.get(token);
    if (!rec) return { ok: false, reason: 'invalid' };
    if (rec.revoked) return { ok: false, reason: 'revoked' };
    if (rec.expiresAt !== null && rec.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    rec.used = true;
    return { ok: true, userId: rec.userId, scope: rec.scope };
  }

  refresh(refreshToken: string): RefreshResult {
    const rec = this.refreshTokens.get(refreshToken);
    if (!rec) return { ok: false, reason: 'invalid' };
    if (rec.revoked) return { ok: false, reason: 'revoked' };
    if (rec.spent) {
      const successor = rec.successorAccess ? this.access.get(rec.successorAccess) : undefined;
      const inGrace =
        this.refreshMode === 'rotating-grace' &&
        rec.graceUntil !== undefined &&
        rec.graceUntil > this.now() &&
        !successor?.used;
      if (!inGrace) return { ok: false, reason: 'spent' };
    }
    if (this.refreshMode === 'reusable') {
      const issued = this.issue(rec.userId, rec.scope);
      // The issued refresh token is dropped: the old one stays the user's refresh token.
      if (issued.refreshToken) this.refreshTokens.delete(issued.refreshToken);
      const { refreshToken: _dropped, ...rest } = issued;
      return { ok: true, userId: rec.userId, tokens: { ...rest, refreshToken } };
    }
    const tokens = this.issue(rec.userId, rec.scope);
    rec.spent = true;
    rec.successorAccess = tokens.accessToken;
    if (this.refreshMode === 'rotating-grace') rec.graceUntil = this.now() + this.grace * 1000;
    return { ok: true, userId: rec.userId, tokens };
  }

  /** RFC 7009: revoking any token of a user revokes that grant (all of the user's tokens here). */
  revokeToken(token: string): boolean {
    const userId = this.access.get(token)?.userId ?? this.refreshTokens.get(token)?.userId;
    if (userId === undefined) return false;
    this.revokeUser(userId);
    return true;
  }

  revokeUser(userId: string): void {
    for (const rec of this.access.values()) if (rec.userId === userId) rec.revoked = true;
    for (const rec of this.refreshTokens.values()) if (rec.userId === userId) rec.revoked = true;
  }

  expireAccessTokens(userId: string): void {
    const past = this.now() - 1000;
    for (const rec of this.access.values()) if (rec.userId === userId) rec.expiresAt = past;
  }

  /** Users holding at least one live access or refresh token. */
  connectedUsers(): string[] {
    const out = new Set<string>();
    for (const rec of this.refreshTokens.values()) if (!rec.revoked && !rec.spent) out.add(rec.userId);
    for (const rec of this.access.values()) if (!rec.revoked) out.add(rec.userId);
    return [...out];
  }
}

/** The Bearer token of a request: `Authorization: Bearer`, or an `access_token` query/form parameter. */
export function bearerToken(req: Request, options: { allowQuery?: boolean } = {}): string | undefined {
  const header = req.get('authorization');
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (m?.[1]) return m[1];
  if (options.allowQuery) {
    const q = req.query.access_token;
    if (typeof q === 'string' && q) return q;
    const body: unknown = req.body;
    if (typeof body === 'object' && body !== null) {
      const b: unknown = Reflect.get(body, 'access_token');
      if (typeof b === 'string' && b) return b;
    }
  }
  return undefined;
}
