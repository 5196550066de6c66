import type { Envelope, EventPayload } from '@healthsync/contracts';
import type { Tx } from '@healthsync/platform';
import type { ProjectionContext } from '../domain/projection.js';
import { applyToConnection, type HandleResult } from './apply.js';

/**
 * `sync.completed` moves due times and groups only when its fence is the current one (a stale
 * worker's report changes nothing): ok/partial/skipped set the next regular poll from the policy
 * and the push blockade; `deferred` holds the connection until the partner's `retryAt`; `failed`
 * backs off exponentially.
 */
export function handleSyncCompleted(
  trx: Tx,
  envelope: Envelope<'sync.completed', EventPayload<'sync.completed'>>,
  ctx: ProjectionContext,
): Promise<HandleResult> {
  return applyToConnection(trx, envelope, ctx);
}
