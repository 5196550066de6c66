import type { ScheduleConfig } from '../config.js';
import { nextRegularPoll } from '../domain/schedule.js';
import type { PartnerSchedule } from '../partners.js';
import type { SchedulePolicy } from '../policy/policy.js';
import type { ConnectionHistory, History } from './history.js';

/**
 * Judge a polling policy on recorded history (DESIGN.md §2: the log of `sync.completed` is the
 * history on which a new policy is evaluated before it is switched on).
 *
 * When new data reached a partner is not recorded; it is estimated once, the same for every
 * policy: data found by a poll arrived after the previous poll finished and before this one
 * started (the midpoint is taken), or at the first partner notification in that interval. The
 * first poll of a connection (backfill) finds history, not news, and is left out.
 *
 * - observed: the recorded syncs themselves (polls, polls that found nothing, detection delay);
 * - simulated: the policy replayed with the scheduler's own timing functions over the same
 *   connections, periods, notifications, push and operator syncs, finding the estimated arrivals.
 *   Rate limits, failures and worker latency are not simulated. Simulating the recorded policy
 *   too shows how far the model is from what happened.
 */
export interface PolicyFigures {
  readonly label: string;
  readonly policy: string;
  readonly kind: 'observed' | 'simulated';
  readonly polls: number;
  readonly connectionDays: number;
  readonly pollsPerConnectionDay: number;
  readonly wasted: number;
  readonly wastedShare: number;
  readonly detections: number;
  readonly delayMeanMs: number;
  readonly delayP95Ms: number;
  readonly delayP99Ms: number;
  /** Arrivals the policy had not found when its connection's period (or the history) ended. */
  readonly undetected: number;
}

const DAY_MS = 24 * 3600_000;

export interface Arrival {
  readonly at: number;
  /** When the recorded schedule found it. */
  readonly foundAt: number;
}

/** The estimated arrival times of new data on one connection (see above). */
export function estimateArrivals(h: ConnectionHistory, end: number): Arrival[] {
  const arrivals: Arrival[] = [];
  for (const period of h.periods) {
    const to = period.to ?? end;
    let previous: number | undefined;
    for (const s of h.syncs) {
      if (s.finishedAt < period.from || s.finishedAt > to) continue;
      if (previous === undefined) {
        previous = s.finishedAt;
        continue;
      }
      if (s.polledNew > 0) {
        const start = Math.max(previous, Math.min(s.startedAt, s.finishedAt));
        // A notification between the two polls announced the data: it had arrived by then.
        const notified = h.notifications.find((n) => n > previous! && n <= start);
        arrivals.push({ at: notified ?? (previous + start) / 2, foundAt: s.finishedAt });
      }
      previous = s.finishedAt;
    }
  }
  return arrivals;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

function figures(
  label: string,
  policy: string,
  kind: PolicyFigures['kind'],
  polls: number,
  wasted: number,
  connectionDays: number,
  delays: number[],
  undetected: number,
): PolicyFigures {
  delays.sort((a, b) => a - b);
  return {
    label,
    policy,
    kind,
    polls,
    connectionDays,
    pollsPerConnectionDay: connectionDays > 0 ? polls / connectionDays : 0,
    wasted,
    wastedShare: polls > 0 ? wasted / polls : 0,
    detections: delays.length,
    delayMeanMs: delays.length > 0 ? delays.reduce((a, b) => a + b, 0) / delays.length : 0,
    delayP95Ms: percentile(delays, 0.95),
    delayP99Ms: percentile(delays, 0.99),
    undetected,
  };
}

function connectionDays(history: History): number {
  let ms = 0;
  for (const h of history.connections)
    for (const p of h.periods)
      ms += Math.max(0, Math.min(p.to ?? history.end, history.end) - Math.max(p.from, history.start));
  return ms / DAY_MS;
}

/** The recorded schedule's own figures. */
export function observedFigures(history: History, policy: string): PolicyFigures {
  let polls = 0;
  let wasted = 0;
  const delays: number[] = [];
  for (const h of history.connections) {
    for (const period of h.periods) {
      const to = period.to ?? history.end;
      let first = true;
      for (const s of h.syncs) {
        if (s.finishedAt < period.from || s.finishedAt > to) continue;
        polls++;
        // The first poll of a period is the backfill: it finds history, not news.
        if (s.polledNew === 0 && !first) wasted++;
        first = false;
      }
    }
    for (const a of estimateArrivals(h, history.end)) delays.push(a.foundAt - a.at);
  }
  return figures(
    `${policy} (recorded)`,
    policy,
    'observed',
    polls,
    wasted,
    connectionDays(history),
    delays,
    0,
  );
}

/** Syncs that happen whatever the polling policy: pushes of app changes and operator requests. */
const independentOfPolling = (reasons: readonly string[]) =>
  reasons.length > 0 && reasons.every((r) => r === 'push' || r === 'requested');

export interface SimulationContext {
  readonly config: ScheduleConfig;
  readonly partners: ReadonlyMap<string, PartnerSchedule>;
}

/** Replay `policy` over the history's connections, finding the estimated arrivals. */
export function simulatePolicy(
  history: History,
  policy: SchedulePolicy,
  ctx: SimulationContext,
): PolicyFigures {
  let polls = 0;
  let wasted = 0;
  let undetected = 0;
  const delays: number[] = [];
  for (const h of history.connections) {
    const partner = ctx.partners.get(h.partner) ?? { webhooks: false, minGapMs: 0 };
    const arrivals = estimateArrivals(h, history.end)
      .map((a) => a.at)
      .sort((a, b) => a - b);
    const forced = h.syncs.filter((s) => independentOfPolling(s.reasons)).map((s) => s.startedAt);
    for (const period of h.periods) {
      const to = Math.min(period.to ?? history.end, history.end);
      if (to <= period.from) continue;
      let state = policy.initial(new Date(period.from));
      let nextRegular = period.from;
      let last = Number.NEGATIVE_INFINITY;
      let lastNotified: number | undefined;
      let pendingNotice: number | undefined;
      let ai = arrivals.findIndex((a) => a > period.from);
      if (ai === -1) ai = arrivals.length;
      let ni = h.notifications.findIndex((n) => n >= period.from);
      if (ni === -1) ni = h.notifications.length;
      let fi = forced.findIndex((f) => f > period.from);
      if (fi === -1) fi = forced.length;
      for (;;) {
        const notifiedAt =
          pendingNotice !== undefined
            ? pendingNotice + ctx.config.notifyDebounceMs
            : Number.POSITIVE_INFINITY;
        const forcedAt = fi < forced.length ? forced[fi]! : Number.POSITIVE_INFINITY;
        const nextNotice = ni < h.notifications.length ? h.notifications[ni]! : Number.POSITIVE_INFINITY;
        const syncAt = Math.max(Math.min(nextRegular, notifiedAt, forcedAt), last + partner.minGapMs);
        // Notifications that arrive before the next sync are seen first.
        if (nextNotice <= syncAt && nextNotice <= to) {
          lastNotified = nextNotice;
          pendingNotice ??= nextNotice;
          ni++;
          continue;
        }
        if (syncAt > to) break;
        while (fi < forced.length && forced[fi]! <= syncAt) fi++;
        let found = 0;
        while (ai < arrivals.length && arrivals[ai]! <= syncAt) {
          if (arrivals[ai]! > period.from) {
            delays.push(syncAt - arrivals[ai]!);
            found++;
          }
          ai++;
        }
        const first = last === Number.NEGATIVE_INFINITY;
        polls++;
        if (found === 0 && !first) wasted++;
        const at = new Date(syncAt);
        state = policy.afterSync(state, { at, startedAt: at, polledNew: found, pushed: 0 });
        last = syncAt;
        pendingNotice = undefined;
        nextRegular = nextRegularPoll(
          policy,
          state,
          at,
          lastNotified !== undefined ? new Date(lastNotified) : null,
          partner,
          ctx.config,
        ).getTime();
      }
      while (ai < arrivals.length && arrivals[ai]! <= to) {
        undetected++;
        ai++;
      }
    }
  }
  return figures(
    policy.name,
    policy.name,
    'simulated',
    polls,
    wasted,
    connectionDays(history),
    delays,
    undetected,
  );
}

export function formatFigures(rows: readonly PolicyFigures[]): string {
  const min = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  const header = [
    'policy',
    'source',
    'polls/conn/day',
    'wasted',
    'found',
    'delay mean',
    'p95',
    'p99',
    'not found',
  ];
  const lines = rows.map((r) => [
    r.label,
    r.kind,
    r.pollsPerConnectionDay.toFixed(1),
    `${(r.wastedShare * 100).toFixed(1)}%`,
    String(r.detections),
    min(r.delayMeanMs),
    min(r.delayP95Ms),
    min(r.delayP99Ms),
    String(r.undetected),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}
