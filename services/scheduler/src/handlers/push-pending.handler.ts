import type { Envelope, EventPayload } from '@healthsync/contracts';
import type { Tx } from '@healthsync/platform';
import type { ProjectionContext } from '../domain/projection.js';
import { applyToConnection, type HandleResult } from './apply.js';

/** `sync.push-pending`: a push becomes due, at the push blockade at the earliest. */
export function handlePushPending(
  trx: Tx,
  envelope: Envelope<'sync.push-pending', EventPayload<'sync.push-pending'>>,
  ctx: ProjectionContext,
): Promise<HandleResult> {
  return applyToConnection(trx, envelope, ctx);
}
