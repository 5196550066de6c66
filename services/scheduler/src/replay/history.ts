import type { DbOrTx } from '@healthsync/platform';
import { latestSnapshot } from '../compaction.js';
import type { ProjectedEvent } from '../domain/projection.js';
import { projectedEvents } from '../rebuild.js';

/** What the event log recorded about one connection, as plain times (ms since the epoch). */
export interface RecordedSync {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly reasons: readonly string[];
  readonly polledNew: number;
  readonly pushed: number;
  readonly outcome: string;
}

export interface ConnectionHistory {
  readonly partner: string;
  readonly userId: string;
  /** Active periods: connected until disconnected / needs-reauth (to: null while still active). */
  readonly periods: { from: number; to: number | null }[];
  readonly notifications: number[];
  readonly syncs: RecordedSync[];
}

export interface History {
  readonly connections: ConnectionHistory[];
  /** First and last event time of the window read. */
  readonly start: number;
  readonly end: number;
  readonly completions: number;
}

export interface HistoryWindow {
  readonly from?: Date;
  readonly to?: Date;
}

const eventTime = (e: ProjectedEvent): number =>
  e.type === 'sync.completed' ? Date.parse(e.payload.finishedAt) : Date.parse(e.occurredAt);

/** Events that only a connection made before them can have. */
const OF_A_CONNECTION = new Set([
  'sync.completed',
  'sync.push-pending',
  'connection.disconnected',
  'connection.needs-reauth',
  'connection.preferences-changed',
]);

/**
 * Fold a sequence of logged events into per-connection histories (pure; for tests and `loadHistory`).
 * `openFrom`: the log was compacted and its remaining events begin then, so a connection's
 * `connection.connected` may be gone; one first seen through an event only a connection has was
 * connected from then on.
 */
export function buildHistory(
  events: Iterable<ProjectedEvent>,
  window: HistoryWindow = {},
  options: { openFrom?: number } = {},
): History {
  const byKey = new Map<string, ConnectionHistory>();
  const from = window.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = window.to?.getTime() ?? Number.POSITIVE_INFINITY;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let completions = 0;
  const get = (partner: string, userId: string) => {
    const k = `${partner}\u0000${userId}`;
    let h = byKey.get(k);
    if (!h) {
      h = { partner, userId, periods: [], notifications: [], syncs: [] };
      byKey.set(k, h);
    }
    return h;
  };
  for (const e of events) {
    if (e.type === 'sync.requested' || e.type === 'sync.due') continue;
    const t = eventTime(e);
    if (t > to) continue;
    const h = get(e.payload.partner, e.payload.userId);
    if (options.openFrom !== undefined && h.periods.length === 0 && OF_A_CONNECTION.has(e.type))
      h.periods.push({ from: options.openFrom, to: null });
    const open = h.periods.at(-1);
    const isOpen = open !== undefined && open.to === null;
    switch (e.type) {
      case 'connection.connected':
        if (isOpen) open.to = t;
        h.periods.push({ from: t, to: null });
        break;
      case 'connection.disconnected':
      case 'connection.needs-reauth':
        if (isOpen) open.to = t;
        break;
      case 'partner.notified':
        if (t >= from) h.notifications.push(t);
        break;
      case 'sync.completed': {
        if (t < from) break;
        const p = e.payload;
        completions++;
        h.syncs.push({
          startedAt: Date.parse(p.startedAt),
          finishedAt: t,
          reasons: p.reasons,
          polledNew: p.polledNew,
          pushed: p.pushed,
          outcome: p.outcome,
        });
        break;
      }
      default:
        break;
    }
    if (t >= from) {
      start = Math.min(start, t);
      end = Math.max(end, t);
    }
  }
  const connections = [...byKey.values()].filter((h) => h.periods.length > 0);
  for (const h of connections) {
    h.syncs.sort((a, b) => a.finishedAt - b.finishedAt);
    h.notifications.sort((a, b) => a - b);
  }
  return {
    connections,
    start: Number.isFinite(start) ? start : 0,
    end: Number.isFinite(end) ? end : 0,
    completions,
  };
}

/** Read the scheduler's event log into histories. */
export async function loadHistory(db: DbOrTx, window: HistoryWindow = {}): Promise<History> {
  const events: ProjectedEvent[] = [];
  let first: number | undefined;
  for await (const { event } of projectedEvents(db)) {
    first ??= Date.parse(event.occurredAt);
    if (event.type !== 'sync.due' && event.type !== 'sync.requested') events.push(event);
  }
  // A snapshot means the log may have been compacted: connections may have lost their connect.
  const compacted = first !== undefined && (await latestSnapshot(db)) !== undefined;
  return buildHistory(events, window, compacted ? { openFrom: first! } : {});
}
