import type { EventPayload } from '@healthsync/contracts';
import type { PartnerDeclaration } from '@healthsync/partner-kit/declaration';
import type { Tx } from '@healthsync/platform';
import { setKinds, setStatus, upsertConnected } from '../repositories/connections.repository.js';
import { clearConnection } from '../repositories/sync-items.repository.js';
import { takeUpChanges } from './data-changed.handler.js';

/**
 * How long before `connection.connected` (or a kind newly pushed) a connection's pushes begin. Auth
 * stamps the event and the app's database stamps its rows: their clocks may disagree by this much,
 * and a row whose write began this close to the connect is taken as made after it.
 */
export const PUSH_SINCE_MARGIN_MS = 5_000;

/** The event a handler acts on, beside its payload: when it happened and who we are when we emit. */
export interface HandledEvent {
  readonly occurredAt: string;
  readonly source: string;
}

const pushSince = (e: HandledEvent) => new Date(Date.parse(e.occurredAt) - PUSH_SINCE_MARGIN_MS);

/**
 * The worker's projection of its partner's connections (DESIGN.md §1): reconnecting the same
 * partner account keeps the sync items (pending pushes made meanwhile go out on the next sync);
 * a different account clears that user's items and cursors for the partner.
 *
 * A connection pushes the app changes made since it was made, and only those, whatever the order
 * in which the worker handles `connection.connected` and their `shapeup.data-changed`: a new
 * connection (a different account, or one the worker knew only from an early `sync.due`) takes up
 * the user's rows changed since then, whose events may have come first and found no connection;
 * the data-changed handler leaves older rows alone.
 */
export async function onConnected(
  trx: Tx,
  declaration: PartnerDeclaration,
  p: EventPayload<'connection.connected'>,
  e: HandledEvent,
): Promise<void> {
  if (p.accountChanged) await clearConnection(trx, p.partner, p.userId);
  const since = pushSince(e);
  const { fresh, added } = await upsertConnected(trx, {
    partner: p.partner,
    userId: p.userId,
    externalUserId: p.externalUserId,
    generation: p.generation,
    poll: p.dataTypes.poll,
    push: p.dataTypes.push,
    pushSince: since,
    accountChanged: p.accountChanged,
  });
  // A new connection takes up every kind it pushes; a reconnect of the same account, the kinds it
  // pushes now and did not before (what changed while disconnected went by the old kinds).
  const kinds = fresh ? p.dataTypes.push : p.dataTypes.push.filter((k) => added.includes(k));
  if (kinds.length > 0) await takeUpChanges(trx, declaration, p.userId, kinds, since, e.source);
}

export async function onDisconnected(trx: Tx, p: EventPayload<'connection.disconnected'>): Promise<void> {
  await setStatus(trx, p.partner, p.userId, 'disconnected');
}

/**
 * A kind the user now pushes begins its pushes at the change of preferences (less the margin): its
 * rows changed since are taken up, as a new connection's are, and older ones are its history.
 */
export async function onPreferencesChanged(
  trx: Tx,
  declaration: PartnerDeclaration,
  p: EventPayload<'connection.preferences-changed'>,
  e: HandledEvent,
): Promise<void> {
  const since = pushSince(e);
  const names = await setKinds(trx, p.partner, p.userId, p.dataTypes.poll, p.dataTypes.push, since);
  const added = p.dataTypes.push.filter((k) => names.includes(k));
  if (added.length > 0) await takeUpChanges(trx, declaration, p.userId, added, since, e.source);
}

export async function onNeedsReauth(trx: Tx, p: EventPayload<'connection.needs-reauth'>): Promise<void> {
  await setStatus(trx, p.partner, p.userId, 'needs_reauth');
}
