import type { EventPayload } from '@healthsync/contracts';
import type { Tx } from '@healthsync/platform';
import { setKinds, setStatus, upsertConnected } from '../repositories/connections.repository.js';
import { clearConnection } from '../repositories/sync-items.repository.js';

/**
 * The worker's projection of its partner's connections (DESIGN.md §1): reconnecting the same
 * partner account keeps the sync items (pending pushes made meanwhile go out on the next sync);
 * a different account clears that user's items and cursors for the partner.
 */
export async function onConnected(trx: Tx, p: EventPayload<'connection.connected'>): Promise<void> {
  if (p.accountChanged) await clearConnection(trx, p.partner, p.userId);
  await upsertConnected(trx, {
    partner: p.partner,
    userId: p.userId,
    externalUserId: p.externalUserId,
    generation: p.generation,
    poll: p.dataTypes.poll,
    push: p.dataTypes.push,
  });
}

export async function onDisconnected(trx: Tx, p: EventPayload<'connection.disconnected'>): Promise<void> {
  await setStatus(trx, p.partner, p.userId, 'disconnected');
}

export async function onPreferencesChanged(
  trx: Tx,
  p: EventPayload<'connection.preferences-changed'>,
): Promise<void> {
  await setKinds(trx, p.partner, p.userId, p.dataTypes.poll, p.dataTypes.push);
}

export async function onNeedsReauth(trx: Tx, p: EventPayload<'connection.needs-reauth'>): Promise<void> {
  await setStatus(trx, p.partner, p.userId, 'needs_reauth');
}
