import { syncWorkerQueues } from '@healthsync/contracts';
import { type PartnerApi, PartnerError } from '@healthsync/partner-kit';
import { type Bus, claimInbox, type Subscription, withTransaction } from '@healthsync/platform';
import { SCHEMA } from './db/migrations/index.js';
import {
  onConnected,
  onDisconnected,
  onNeedsReauth,
  onPreferencesChanged,
} from './handlers/connection.handler.js';
import { onDataChanged } from './handlers/data-changed.handler.js';
import { runSync, type SyncDeps, type SyncResult } from './sync-task.js';

/**
 * Outbox relay batches in flight for a sync worker. One sync emits one event; a single batch
 * (up to 2,000 rows per poll, 100 ms apart when idle) moves far more than a worker commits, and
 * each further batch in flight is one more poll transaction (5 statements) every 100 ms.
 */
export const WORKER_RELAY_CONCURRENCY = 1;

export interface WorkerDeps extends SyncDeps {
  readonly bus: Bus;
  readonly api: PartnerApi;
  /** Called after every sync, for metrics. */
  readonly onSync?: (result: SyncResult, ms: number) => void;
}

/**
 * Consume this partner's two queues: `sync.due` (leased syncs, idempotent through the fence) and
 * connection / app-change events (idempotent through the inbox, in the same transaction as
 * their effects).
 */
export async function startWorker(deps: WorkerDeps): Promise<Subscription[]> {
  const { declaration } = deps.api;
  const partner = declaration.id;
  const [dueQueue, eventsQueue] = syncWorkerQueues(partner);
  const consumer = `sync-worker.${partner}`;
  const once = async (
    envelope: Parameters<typeof claimInbox>[3],
    fn: (trx: Parameters<Parameters<typeof withTransaction>[1]>[0]) => Promise<unknown>,
  ) =>
    withTransaction(deps.db, async (trx) => {
      if (!(await claimInbox(trx, SCHEMA, consumer, envelope))) return;
      await fn(trx);
    });

  const due = await deps.bus.consume(dueQueue!, {
    'sync.due': async (payload) => {
      if (payload.partner !== partner)
        throw new PartnerError(
          'invalid_data',
          `sync.due for ${payload.partner} reached the ${partner} worker`,
        );
      const started = performance.now();
      const result = await runSync(deps, payload);
      deps.onSync?.(result, performance.now() - started);
    },
  });
  const handled = (e: { occurredAt: string }) => ({ occurredAt: e.occurredAt, source: deps.source });
  const events = await deps.bus.consume(eventsQueue!, {
    'connection.connected': (p, e) => once(e, (trx) => onConnected(trx, declaration, p, handled(e))),
    'connection.disconnected': (p, e) => once(e, (trx) => onDisconnected(trx, p)),
    'connection.preferences-changed': (p, e) =>
      once(e, (trx) => onPreferencesChanged(trx, declaration, p, handled(e))),
    'connection.needs-reauth': (p, e) => once(e, (trx) => onNeedsReauth(trx, p)),
    'shapeup.data-changed': (p, e) => once(e, (trx) => onDataChanged(trx, declaration, p, deps.source)),
  });
  return [due, events];
}
