import type { DbOrTx } from '@healthsync/platform';
import type { SchedulePolicy } from '../policy/policy.js';
import { listPolicyHistory } from '../repositories/policy-history.repository.js';
import {
  formatFigures,
  observedFigures,
  type PolicyFigures,
  type SimulationContext,
  simulatePolicy,
} from './evaluate.js';
import { type HistoryWindow, loadHistory } from './history.js';

export interface ReplayReport {
  readonly from: Date;
  readonly to: Date;
  readonly connections: number;
  readonly completions: number;
  /** The policies that scheduled the history (from the policy history table). */
  readonly recordedPolicies: readonly string[];
  readonly figures: readonly PolicyFigures[];
}

/**
 * `replay`: the recorded figures of the history in the event log, then each given policy
 * simulated over it (the recorded policy first, as the model check).
 */
export async function replay(
  db: DbOrTx,
  options: { policies: readonly SchedulePolicy[]; ctx: SimulationContext; window?: HistoryWindow },
): Promise<ReplayReport> {
  const history = await loadHistory(db, options.window);
  const periods = await listPolicyHistory(db);
  const inWindow = periods.filter((p, i) => {
    const next = periods[i + 1];
    return p.startedAt.getTime() <= history.end && (!next || next.startedAt.getTime() >= history.start);
  });
  const recordedPolicies = [...new Set(inWindow.map((p) => p.policy))];
  const recordedName = recordedPolicies.length > 0 ? recordedPolicies.join('+') : 'unrecorded';
  const ordered = [...options.policies].sort(
    (a, b) => Number(recordedPolicies.includes(b.name)) - Number(recordedPolicies.includes(a.name)),
  );
  return {
    from: new Date(history.start),
    to: new Date(history.end),
    connections: history.connections.length,
    completions: history.completions,
    recordedPolicies,
    figures: [
      observedFigures(history, recordedName),
      ...ordered.map((p) => simulatePolicy(history, p, options.ctx)),
    ],
  };
}

export function formatReplay(report: ReplayReport): string {
  const days = (report.to.getTime() - report.from.getTime()) / 86_400_000;
  return [
    `history ${report.from.toISOString()} .. ${report.to.toISOString()} (${days.toFixed(1)} days): ` +
      `${report.connections} connections, ${report.completions} sync.completed; ` +
      `scheduled by: ${report.recordedPolicies.join(', ') || 'unrecorded'}`,
    '',
    formatFigures(report.figures),
    '',
    'delay: estimated arrival of new data at the partner -> the poll that found it; wasted: polls that found nothing new.',
  ].join('\n');
}
