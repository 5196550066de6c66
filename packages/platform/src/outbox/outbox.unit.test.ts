import { describe, expect, it } from 'vitest';
import { uuidV7Prefix } from './outbox.js';

describe('UUIDv7 prefix', () => {
  it('puts the 48-bit millisecond and the version nibble in front', () => {
    const ms = Date.parse('2026-11-23T08:00:00.000Z');
    const prefix = uuidV7Prefix(ms);
    expect(prefix).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7$/);
    expect(Number.parseInt(prefix.replace('-', '').slice(0, 12), 16)).toBe(ms);
  });

  it('keeps leading zeros of small times', () => {
    expect(uuidV7Prefix(1)).toBe('00000000-0001-7');
  });
});
