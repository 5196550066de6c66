import { claimInbox, type Tx } from '@healthsync/platform';
import { SCHEMA } from '../db/migrations/index.js';
import { applyConnectionEvent, type ConnectionEvent, type ProjectionContext } from '../domain/projection.js';
import { lockSchedule, upsertSchedules } from '../repositories/schedule.repository.js';

/** The inbox consumer name (the bus queue the scheduler consumes). */
export const CONSUMER = 'scheduler.events';

export interface HandleResult {
  /** The event was processed before (inbox): nothing happened. */
  readonly duplicate: boolean;
  /** Rows whose schedule changed. */
  readonly changed: number;
  /** A `sync.completed` whose fence is not the current one. */
  readonly stale?: boolean;
}

/**
 * Apply one event about one connection in the caller's transaction: lock the connection, record
 * the event in the inbox and the event log (after the lock, so the log's order is the order of
 * application), apply the projection, write the row if it changed. Four round trips.
 */
export async function applyToConnection(
  trx: Tx,
  envelope: ConnectionEvent,
  ctx: ProjectionContext,
): Promise<HandleResult> {
  const { partner, userId } = envelope.payload;
  const row = await lockSchedule(trx, partner, userId);
  if (!(await claimInbox(trx, SCHEMA, CONSUMER, envelope))) return { duplicate: true, changed: 0 };
  if (envelope.type === 'sync.completed' && row && row.fence !== envelope.payload.fence) {
    return { duplicate: false, changed: 0, stale: true };
  }
  const next = applyConnectionEvent(row, envelope, ctx);
  if (!next || next === row) return { duplicate: false, changed: 0 };
  await upsertSchedules(trx, [next]);
  return { duplicate: false, changed: 1 };
}
