import { describe, expect, it } from 'vitest';
import { demoSeed, seededRandom, userRandom } from './random.js';
import { FixedWindowLimiter, RollingWindowLimiter } from './rate-limit.js';
import { FakeUserStore, paginate } from './store.js';
import { movableClock } from './testing.js';
import { FakeTokenRegistry } from './tokens.js';

function clockAt(iso: string) {
  let t = new Date(iso).getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('fake rate limiters', () => {
  it('fixed windows reset at the top of the window (Fitbit: top of the hour)', () => {
    const clock = clockAt('2026-01-01T10:59:00Z');
    const l = new FixedWindowLimiter({ limit: 2, windowSeconds: 3600, clock });
    expect(l.take('u1').remaining).toBe(1);
    expect(l.take('u1').remaining).toBe(0);
    const denied = l.take('u1');
    expect(denied).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    expect(denied.resetAt.toISOString()).toBe('2026-01-01T11:00:00.000Z');
    expect(l.take('u2').allowed).toBe(true);
    clock.advance(60_000);
    expect(l.take('u1')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('rolling windows free a slot when the oldest request leaves the window', () => {
    const clock = clockAt('2026-01-01T10:00:00Z');
    const l = new RollingWindowLimiter({ limit: 2, windowSeconds: 60, clock });
    l.take('app');
    clock.advance(30_000);
    l.take('app');
    expect(l.take('app')).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    clock.advance(30_001);
    expect(l.take('app').allowed).toBe(true);
    expect(l.take('app').allowed).toBe(false);
  });
});

describe('fake token registry', () => {
  it('distinguishes invalid, expired and revoked tokens', () => {
    const clock = clockAt('2026-01-01T00:00:00Z');
    const r = new FakeTokenRegistry({ clock, accessTokenTtlSeconds: 60, refresh: 'rotating' });
    const t = r.issue('u1', 'weight');
    expect(r.authenticate(t.accessToken)).toEqual({ ok: true, userId: 'u1', scope: 'weight' });
    expect(r.authenticate('nope')).toEqual({ ok: false, reason: 'invalid' });
    expect(r.authenticate(undefined)).toEqual({ ok: false, reason: 'missing' });
    clock.advance(61_000);
    expect(r.authenticate(t.accessToken)).toEqual({ ok: false, reason: 'expired' });
    const refreshed = r.refresh(t.refreshToken!);
    expect(refreshed.ok).toBe(true);
    expect(r.refresh(t.refreshToken!)).toEqual({ ok: false, reason: 'spent' });
    r.revokeUser('u1');
    if (refreshed.ok)
      expect(r.authenticate(refreshed.tokens.accessToken)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('rotating-grace keeps the old refresh token for the grace period', () => {
    const clock = clockAt('2026-01-01T00:00:00Z');
    const r = new FakeTokenRegistry({ clock, refresh: 'rotating-grace', graceSeconds: 100 });
    const t = r.issue('u1', '');
    expect(r.refresh(t.refreshToken!).ok).toBe(true);
    expect(r.refresh(t.refreshToken!).ok).toBe(true);
    clock.advance(101_000);
    expect(r.refresh(t.refreshToken!)).toEqual({ ok: false, reason: 'spent' });
  });

  it('reusable refresh tokens stay the same; none issues no refresh token and never-expiring access', () => {
    const reusable = new FakeTokenRegistry({ refresh: 'reusable' });
    const t = reusable.issue('u', '');
    const a = reusable.refresh(t.refreshToken!);
    const b = reusable.refresh(t.refreshToken!);
    expect(
      a.ok && b.ok && a.tokens.refreshToken === t.refreshToken && b.tokens.refreshToken === t.refreshToken,
    ).toBe(true);
    const none = new FakeTokenRegistry({ refresh: 'none', accessTokenTtlSeconds: null });
    const n = none.issue('u', '');
    expect(n.refreshToken).toBeUndefined();
    expect(n.expiresIn).toBeUndefined();
  });
});

describe('fake per-user store', () => {
  it('keeps users apart, tracks modification, soft-deletes, and pages', () => {
    const clock = clockAt('2026-01-01T00:00:00Z');
    const s = new FakeUserStore<{ kg: number }>({ clock });
    const a = s.insert('u1', { kg: 80 });
    s.insert('u2', { kg: 60 });
    clock.advance(1000);
    const b = s.insert('u1', { kg: 81 });
    clock.advance(1000);
    s.update('u1', a.id, (old) => ({ kg: old.kg + 1 }));
    expect(s.get('u1', a.id)?.data.kg).toBe(81);
    expect(s.list('u1', { modifiedSince: new Date('2026-01-01T00:00:02Z') }).map((i) => i.id)).toEqual([
      a.id,
    ]);
    expect(s.remove('u1', b.id)).toBe(true);
    expect(s.list('u1').map((i) => i.id)).toEqual([a.id]);
    expect(s.list('u1', { includeDeleted: true })).toHaveLength(2);
    expect(s.get('u2', a.id)).toBeUndefined();
    expect(paginate([1, 2, 3, 4, 5], 0, 2)).toEqual({ items: [1, 2], more: true, nextOffset: 2, total: 5 });
    expect(paginate([1, 2, 3, 4, 5], 4, 2)).toEqual({ items: [5], more: false, nextOffset: 5, total: 5 });
  });
});

describe('demo seeds', () => {
  it('the same seed and user give the same history; users and seeds differ', () => {
    const draw = (seed: number, user: string) => Array.from({ length: 3 }, userRandom(seed, user));
    expect(draw(1, 'GGNJL9')).toEqual(draw(1, 'GGNJL9'));
    expect(draw(1, 'GGNJL9')).not.toEqual(draw(1, '10001'));
    expect(draw(1, 'GGNJL9')).not.toEqual(draw(2, 'GGNJL9'));
    expect(draw(1, 'x').every((n) => n >= 0 && n < 1)).toBe(true);
    expect(seededRandom(5)()).toBe(seededRandom(5)());
  });

  it('reads a fake seed option: false none, true or absent the default', () => {
    expect([demoSeed(false), demoSeed(true), demoSeed(undefined), demoSeed(7), demoSeed(0)]).toEqual([
      undefined,
      1,
      1,
      7,
      0,
    ]);
  });
});

describe('movableClock', () => {
  it('is set or moved forward by tests', () => {
    const clock = movableClock('2026-03-02T10:59:00Z');
    clock.advance(90);
    expect(clock.now().toISOString()).toBe('2026-03-02T11:00:30.000Z');
    clock.at = new Date('2026-01-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
