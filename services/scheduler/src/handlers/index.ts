import type { Envelope } from '@healthsync/contracts';
import type { Tx } from '@healthsync/platform';
import type { ConsumedType, ProjectionContext } from '../domain/projection.js';
import type { HandleResult } from './apply.js';
import { handleConnectionEvent } from './connection.handler.js';
import { handlePartnerNotified } from './partner-notified.handler.js';
import { handlePushPending } from './push-pending.handler.js';
import { handleSyncCompleted } from './sync-completed.handler.js';
import { handleSyncRequested } from './sync-requested.handler.js';

export { CONSUMER, type HandleResult } from './apply.js';

type ConsumedEnvelope = {
  [T in ConsumedType]: Envelope<T, import('@healthsync/contracts').EventPayload<T>>;
}[ConsumedType];

/** Route a consumed event to its handler, in the caller's transaction. */
export function handleEvent(
  trx: Tx,
  envelope: ConsumedEnvelope,
  ctx: ProjectionContext,
): Promise<HandleResult> {
  switch (envelope.type) {
    case 'connection.connected':
    case 'connection.disconnected':
    case 'connection.preferences-changed':
    case 'connection.needs-reauth':
      return handleConnectionEvent(trx, envelope, ctx);
    case 'sync.completed':
      return handleSyncCompleted(trx, envelope, ctx);
    case 'sync.push-pending':
      return handlePushPending(trx, envelope, ctx);
    case 'partner.notified':
      return handlePartnerNotified(trx, envelope, ctx);
    case 'sync.requested':
      return handleSyncRequested(trx, envelope, ctx);
  }
}

export type { ConsumedEnvelope };
