import { describe, expect, it } from 'vitest';
import { profileZone } from './profile-zone.js';
import { recordingContext } from './testing/resource-context.js';

function partner(profile: unknown) {
  return recordingContext(() => ({ body: profile }));
}

describe('profileZone', () => {
  it('reads the offset in its unit as minutes, at every call', async () => {
    const zone = profileZone('/me', 'user.offsetMs', 'ms');
    const { ctx, seen } = partner({ user: { offsetMs: 19_800_000 } });
    expect([await zone(ctx), await zone(ctx)]).toEqual([330, 330]);
    expect(seen.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/me'],
      ['GET', '/me'],
    ]);
    expect(await profileZone('/me', 'tz', 'h')(partner({ tz: -3.5 }).ctx)).toBe(-210);
    expect(await profileZone('/me', 'tz', 's')(partner({ tz: 3600 }).ctx)).toBe(60);
  });

  it('falls back to UTC when the profile names no zone, and reads IANA names without a unit', async () => {
    expect(await profileZone('/me', 'user.offsetMs', 'ms')(partner({ user: {} }).ctx)).toBe(0);
    expect(await profileZone('/me', 'timezone')(partner({ timezone: 'Europe/Paris' }).ctx)).toBe(
      'Europe/Paris',
    );
    expect(await profileZone('/me', 'timezone')(partner({}).ctx)).toBe('UTC');
  });

  it('refuses an offset that is not a number, naming the field', async () => {
    const zone = profileZone('/me', 'offset', 'min', { partner: 'Acme' });
    await expect(zone(partner({ offset: 'soon' }).ctx)).rejects.toThrow(/offset is not a number/);
  });
});
