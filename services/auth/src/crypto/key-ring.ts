import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a key ring (DESIGN.md §8). Every sealed value carries the id of the key that
 * sealed it (stored in its own column beside the ciphertext), so keys rotate online: new values
 * are sealed with the primary key, older keys stay decrypt-only until `rewrap` has moved every
 * row to the primary. The associated data binds a ciphertext to the row it belongs to: a value
 * copied into another row does not decrypt.
 *
 * Sealed layout: nonce (12 bytes) || ciphertext || tag (16 bytes).
 */

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

/** A value that does not decrypt (wrong key, wrong row, altered bytes). Says nothing more. */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor(readonly keyId: string) {
    super(`sealed value did not decrypt (key ${keyId})`);
  }
}

export interface Sealed {
  readonly keyId: string;
  readonly data: Buffer;
}

export interface KeyRing {
  readonly primaryKeyId: string;
  readonly keyIds: readonly string[];
  has(keyId: string): boolean;
  seal(plaintext: Buffer, aad: Buffer): Sealed;
  open(sealed: Sealed, aad: Buffer): Buffer;
}

export function createKeyRing(keys: ReadonlyMap<string, Buffer>, primaryKeyId: string): KeyRing {
  const problems: string[] = [];
  for (const [id, key] of keys) {
    if (!KEY_ID.test(id)) problems.push(`key id "${id}" must match ${KEY_ID}`);
    if (key.length !== 32) problems.push(`key ${id} must be 32 bytes (AES-256), got ${key.length}`);
  }
  if (!keys.has(primaryKeyId)) problems.push(`primary key ${primaryKeyId} is not in the key ring`);
  if (problems.length > 0) throw new KeyRingError(problems.join('; '));
  const ring = new Map([...keys].map(([id, key]) => [id, Buffer.from(key)]));

  return {
    primaryKeyId,
    keyIds: [...ring.keys()],
    has: (keyId) => ring.has(keyId),
    seal(plaintext, aad) {
      const key = ring.get(primaryKeyId) as Buffer;
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { keyId: primaryKeyId, data: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
    },
    open(sealed, aad) {
      const key = ring.get(sealed.keyId);
      if (!key || sealed.data.length < NONCE_BYTES + TAG_BYTES) throw new DecryptError(sealed.keyId);
      const nonce = sealed.data.subarray(0, NONCE_BYTES);
      const tag = sealed.data.subarray(sealed.data.length - TAG_BYTES);
      const body = sealed.data.subarray(NONCE_BYTES, sealed.data.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw new DecryptError(sealed.keyId);
      }
    },
  };
}

/**
 * `AUTH_ENCRYPTION_KEYS=kid:base64key,kid2:base64key` and the primary key id. Reports every
 * problem at once; key material never appears in a message.
 */
export function parseKeyRing(keysSpec: string, primaryKeyId: string): KeyRing {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  for (const [i, entry] of keysSpec.split(',').entries()) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    const colon = trimmed.indexOf(':');
    if (colon <= 0) {
      problems.push(`entry ${i + 1} must be kid:base64key`);
      continue;
    }
    const id = trimmed.slice(0, colon);
    const material = trimmed.slice(colon + 1);
    if (!/^[A-Za-z0-9+/_-]+=*$/.test(material)) {
      problems.push(`key ${id} is not base64`);
      continue;
    }
    if (keys.has(id)) problems.push(`key id ${id} appears twice`);
    keys.set(
      id,
      Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64'),
    );
  }
  if (keys.size === 0) problems.push('no keys given');
  if (problems.length > 0) throw new KeyRingError(problems.join('; '));
  return createKeyRing(keys, primaryKeyId);
}
