import type { Envelope, EventPayload } from '@healthsync/contracts';
import type { Tx } from '@healthsync/platform';
import type { ProjectionContext } from '../domain/projection.js';
import { applyToConnection, type HandleResult } from './apply.js';

type ConnectionLifecycle =
  | Envelope<'connection.connected', EventPayload<'connection.connected'>>
  | Envelope<'connection.disconnected', EventPayload<'connection.disconnected'>>
  | Envelope<'connection.preferences-changed', EventPayload<'connection.preferences-changed'>>
  | Envelope<'connection.needs-reauth', EventPayload<'connection.needs-reauth'>>;

/**
 * `connection.connected`: a new connection starts in the first group with a poll due now (a
 * reconnect starts over the same way); `disconnected` and `needs-reauth` stop every sync of the
 * connection (no lease, nothing pending, new fence); `preferences-changed` updates what is polled
 * and pushed.
 */
export function handleConnectionEvent(
  trx: Tx,
  envelope: ConnectionLifecycle,
  ctx: ProjectionContext,
): Promise<HandleResult> {
  return applyToConnection(trx, envelope, ctx);
}
