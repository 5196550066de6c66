import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { KeyRing, Sealed } from './key-ring.js';

/**
 * What is sealed, and the associated data that ties each sealed value to its row. The identity of
 * a connection (user, partner, auth generation, connection epoch) is the associated data of its
 * credentials: a ciphertext swapped into another row, or left over from an earlier connection of
 * the same user and partner, fails to decrypt.
 */

export const CredentialSecrets = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('oauth2'),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('oauth1'), token: z.string().min(1), tokenSecret: z.string().min(1) }),
]);
export type CredentialSecrets = z.infer<typeof CredentialSecrets>;

export const PendingSecrets = z.object({
  codeVerifier: z.string().min(1).optional(),
  requestTokenSecret: z.string().min(1).optional(),
});
export type PendingSecrets = z.infer<typeof PendingSecrets>;

export interface ConnectionIdentity {
  readonly userId: string;
  readonly partner: string;
  readonly authGeneration: string;
  readonly epoch: number;
}

export function credentialsAad(id: ConnectionIdentity): Buffer {
  return Buffer.from(
    JSON.stringify(['healthsync.auth.credentials.v1', id.userId, id.partner, id.authGeneration, id.epoch]),
  );
}

export function pendingAad(stateHash: Buffer): Buffer {
  return Buffer.from(JSON.stringify(['healthsync.auth.pending.v1', stateHash.toString('hex')]));
}

/** `state` values and OAuth 1.0a request tokens are stored only as their SHA-256. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function sealJson(ring: KeyRing, value: unknown, aad: Buffer): Sealed {
  return ring.seal(Buffer.from(JSON.stringify(value), 'utf8'), aad);
}

export function openCredentials(ring: KeyRing, sealed: Sealed, id: ConnectionIdentity): CredentialSecrets {
  return CredentialSecrets.parse(JSON.parse(ring.open(sealed, credentialsAad(id)).toString('utf8')));
}

export function openPending(ring: KeyRing, sealed: Sealed, stateHash: Buffer): PendingSecrets {
  return PendingSecrets.parse(JSON.parse(ring.open(sealed, pendingAad(stateHash)).toString('utf8')));
}
