import type { Envelope, EventPayload } from '@healthsync/contracts';
import { claimInbox, type Tx } from '@healthsync/platform';
import { SCHEMA } from '../db/migrations/index.js';
import type { ProjectionContext } from '../domain/projection.js';
import { lockScope, requestScope } from '../repositories/schedule.repository.js';
import { CONSUMER, type HandleResult } from './apply.js';

/**
 * `sync.requested` (or `POST /admin/v1/sync`): every active connection in the scope (one
 * connection, all partners of a user, all users of a partner, everyone) becomes due now, within
 * the partners' rate budgets. The scope's rows are locked before the event is logged, then
 * updated in one statement.
 */
export async function handleSyncRequested(
  trx: Tx,
  envelope: Envelope<'sync.requested', EventPayload<'sync.requested'>>,
  ctx: ProjectionContext,
): Promise<HandleResult> {
  const installed = [...ctx.partners.keys()];
  await lockScope(trx, envelope.payload.scope, installed);
  if (!(await claimInbox(trx, SCHEMA, CONSUMER, envelope))) return { duplicate: true, changed: 0 };
  const changed = await requestScope(trx, envelope.payload.scope, installed, new Date(envelope.occurredAt));
  return { duplicate: false, changed };
}
