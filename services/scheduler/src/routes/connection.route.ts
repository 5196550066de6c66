import { PartnerId, UserId } from '@healthsync/contracts';
import { parseOr400, problems } from '@healthsync/platform';
import type { Router } from 'express';
import { z } from 'zod';
import { getSchedule } from '../repositories/schedule.repository.js';
import type { AdminDeps } from './deps.js';

const Params = z.object({ partner: PartnerId, userId: UserId });

/**
 * `GET /admin/v1/connections/{partner}/{userId}`: one connection's schedule (group, blockades,
 * hold, lease and fence, last outcome and error), for "why does this user get no data?".
 */
export function connectionRoute(router: Router, deps: AdminDeps): void {
  router.get('/admin/v1/connections/:partner/:userId', async (req, res) => {
    const { partner, userId } = parseOr400(Params, req.params, 'path');
    const row = await getSchedule(deps.db, partner, userId);
    if (!row) throw problems.notFound(`No schedule for ${userId} at ${partner}`);
    res.json(row);
  });
}
