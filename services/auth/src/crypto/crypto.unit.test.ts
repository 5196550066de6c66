import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyRing, DecryptError, KeyRingError, parseKeyRing } from './key-ring.js';
import { credentialsAad, openCredentials, sealJson } from './secrets.js';

const key = () => randomBytes(32);
const id = { userId: 'u-1', partner: 'fitbit', authGeneration: 'oauth2', epoch: 1 };

describe('key ring', () => {
  it('seals with the primary key and opens with the key named beside the ciphertext', () => {
    const k1 = key();
    const old = createKeyRing(new Map([['k1', k1]]), 'k1');
    const sealed = sealJson(
      old,
      { kind: 'oauth2', accessToken: 'at-123', refreshToken: 'rt-456' },
      credentialsAad(id),
    );
    expect(sealed.keyId).toBe('k1');
    const rotated = createKeyRing(
      new Map([
        ['k1', k1],
        ['k2', key()],
      ]),
      'k2',
    );
    expect(openCredentials(rotated, sealed, id)).toEqual({
      kind: 'oauth2',
      accessToken: 'at-123',
      refreshToken: 'rt-456',
    });
    expect(
      sealJson(rotated, { kind: 'oauth1', token: 't', tokenSecret: 's' }, credentialsAad(id)).keyId,
    ).toBe('k2');
  });

  it('refuses a flipped bit anywhere in the sealed value', () => {
    const ring = createKeyRing(new Map([['k1', key()]]), 'k1');
    const sealed = sealJson(ring, { kind: 'oauth2', accessToken: 'at' }, credentialsAad(id));
    for (let i = 0; i < sealed.data.length; i++) {
      const data = Buffer.from(sealed.data);
      data[i] = (data[i] ?? 0) ^ 0x01;
      expect(() => openCredentials(ring, { keyId: 'k1', data }, id)).toThrow(DecryptError);
    }
  });

  it('refuses a value sealed for another connection, epoch or generation (associated data)', () => {
    const ring = createKeyRing(new Map([['k1', key()]]), 'k1');
    const sealed = sealJson(ring, { kind: 'oauth2', accessToken: 'at' }, credentialsAad(id));
    for (const other of [
      { ...id, userId: 'u-2' },
      { ...id, partner: 'strava' },
      { ...id, authGeneration: 'oauth1' },
      { ...id, epoch: 2 },
    ])
      expect(() => openCredentials(ring, sealed, other)).toThrow(DecryptError);
  });

  it('refuses an unknown key id and truncated data', () => {
    const ring = createKeyRing(new Map([['k1', key()]]), 'k1');
    const sealed = sealJson(ring, { kind: 'oauth2', accessToken: 'at' }, credentialsAad(id));
    expect(() => ring.open({ keyId: 'k9', data: sealed.data }, credentialsAad(id))).toThrow(DecryptError);
    expect(() => ring.open({ keyId: 'k1', data: sealed.data.subarray(0, 20) }, credentialsAad(id))).toThrow(
      DecryptError,
    );
  });

  it('parses AUTH_ENCRYPTION_KEYS and reports every problem at once, without key material', () => {
    const good = randomBytes(32).toString('base64');
    const ring = parseKeyRing(`k1:${good}, k2:${randomBytes(32).toString('base64url')}`, 'k2');
    expect(ring.keyIds).toEqual(['k1', 'k2']);
    expect(ring.primaryKeyId).toBe('k2');
    const short = randomBytes(16).toString('base64');
    try {
      parseKeyRing(`k1:${short},nocolon,k 3:${good}`, 'k7');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KeyRingError);
      const message = (e as Error).message;
      expect(message).toContain('entry 2 must be kid:base64key');
      expect(message).not.toContain(short);
      expect(message).not.toContain(good);
    }
    expect(() => parseKeyRing(`k1:${good}`, 'k2')).toThrow(/primary key k2/);
    expect(() => parseKeyRing(`k1:${short}`, 'k1')).toThrow(/32 bytes/);
    expect(() => parseKeyRing('', 'k1')).toThrow(/no keys/);
  });
});
