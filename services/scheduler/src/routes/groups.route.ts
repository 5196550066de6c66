import type { Router } from 'express';
import { dueCounts, groupCounts } from '../repositories/schedule.repository.js';
import type { AdminDeps } from './deps.js';

/**
 * `GET /admin/v1/groups`: connections per activity group (overall and per partner), per status,
 * and how many are due now per partner: the seed's group statistics.
 */
export function groupsRoute(router: Router, deps: AdminDeps): void {
  router.get('/admin/v1/groups', async (_req, res) => {
    const now = deps.clock.now();
    const counts = await groupCounts(deps.db);
    const due = await dueCounts(deps.db, [...deps.ctx.partners.keys()], now);
    const groups = new Map<
      number,
      { group: number; connections: number; partners: Record<string, number> }
    >();
    for (const g of deps.ctx.policy.config.groupsMinutes)
      groups.set(g, { group: g, connections: 0, partners: {} });
    const statuses: Record<string, number> = {};
    for (const c of counts) {
      statuses[c.status] = (statuses[c.status] ?? 0) + c.connections;
      if (c.status !== 'active') continue;
      const entry = groups.get(c.group) ?? { group: c.group, connections: 0, partners: {} };
      entry.connections += c.connections;
      entry.partners[c.partner] = (entry.partners[c.partner] ?? 0) + c.connections;
      groups.set(c.group, entry);
    }
    res.json({
      at: now.toISOString(),
      policy: deps.ctx.policy.name,
      groups: [...groups.values()].sort((a, b) => a.group - b.group),
      statuses,
      dueNow: due,
    });
  });
}
