import type { Envelope, EventPayload } from '@healthsync/contracts';
import { type Clock, claimInbox, type Db, type Logger, withTransaction } from '@healthsync/platform';
import { SCHEMA } from '../db/migrations/index.js';
import { markNeedsReauth } from '../repositories/connections.repository.js';

export const NEEDS_REAUTH_CONSUMER = 'auth.needs-reauth';

/**
 * `connection.needs-reauth` from a sync worker (the partner refused the credentials it got from
 * us): mark the connection, once per event (inbox). An event about an earlier connection than the
 * current one (the user reconnected since) changes nothing. Nothing is re-emitted: the worker's
 * event already reached every other consumer.
 */
export async function handleNeedsReauth(
  deps: { db: Db; logger: Logger; clock: Clock },
  envelope: Envelope<'connection.needs-reauth', EventPayload<'connection.needs-reauth'>>,
): Promise<boolean> {
  const { userId, partner, reason } = envelope.payload;
  const changed = await withTransaction(deps.db, async (trx) => {
    if (!(await claimInbox(trx, SCHEMA, NEEDS_REAUTH_CONSUMER, envelope))) return false;
    return markNeedsReauth(
      trx,
      userId,
      partner,
      { code: 'auth_revoked', message: reason, at: deps.clock.now() },
      new Date(envelope.occurredAt),
    );
  });
  deps.logger.info({ partner, userId, changed, eventId: envelope.id }, 'needs-reauth event handled');
  return changed;
}
