import type { Envelope, EventPayload } from '@healthsync/contracts';
import type { Tx } from '@healthsync/platform';
import type { ProjectionContext } from '../domain/projection.js';
import { applyToConnection, type HandleResult } from './apply.js';

/**
 * `partner.notified`: a poll becomes due after the debounce (notifications arriving meanwhile
 * join it), within the partner's rate budget; the notification also keeps a webhook connection's
 * regular polls suspended until notifications go quiet.
 */
export function handlePartnerNotified(
  trx: Tx,
  envelope: Envelope<'partner.notified', EventPayload<'partner.notified'>>,
  ctx: ProjectionContext,
): Promise<HandleResult> {
  return applyToConnection(trx, envelope, ctx);
}
