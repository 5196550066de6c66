import { SyncScope } from '@healthsync/contracts';
import { createEvent, parseOr400, problems, withTransaction } from '@healthsync/platform';
import type { Router } from 'express';
import { z } from 'zod';
import { handleEvent } from '../handlers/index.js';
import { callerSubject } from '../http/service-auth.js';
import type { AdminDeps } from './deps.js';

const Body = z.object({ scope: SyncScope });

/**
 * `POST /admin/v1/sync` `{scope}`: sync one connection, all partners of a user, all users of a
 * partner, or everyone, now (within the partners' rate budgets). Applied as a `sync.requested`
 * event, so it lands in the event log like one from the bus. 404 for a connection scope without
 * an active connection.
 */
export function requestSyncRoute(router: Router, deps: AdminDeps): void {
  router.post('/admin/v1/sync', async (req, res) => {
    const { scope } = parseOr400(Body, req.body, 'body');
    const requested = createEvent(
      'sync.requested',
      { scope, requestedBy: callerSubject(res.locals) },
      { source: deps.ctx.source, occurredAt: deps.clock.now() },
    );
    const result = await withTransaction(deps.db, async (trx) => {
      const r = await handleEvent(trx, requested.envelope, deps.ctx);
      if (scope.kind === 'connection' && r.changed === 0) {
        throw problems.notFound(`No active connection of ${scope.userId} to ${scope.partner}`);
      }
      return r;
    });
    deps.onEvent?.('sync.requested', result);
    res.status(202).json({ eventId: requested.envelope.id, scope, connections: result.changed });
  });
}
