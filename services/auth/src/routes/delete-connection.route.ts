import { parseOr400, problems } from '@healthsync/platform';
import { z } from 'zod';
import { disconnect } from '../domain/connections.js';
import { assertActsFor } from '../http/caller.js';
import { defineRoute, PartnerParam, problemResponses, UserIdParam } from '../http/route.js';

const Params = z.object({ userId: UserIdParam, partner: PartnerParam });

export const deleteConnection = defineRoute(
  {
    operationId: 'deleteConnection',
    method: 'delete',
    path: '/v1/users/:userId/connections/:partner',
    summary: 'Disconnect: revoke at the partner where possible and delete the credentials',
    tags: ['connections'],
    auth: 'user',
    rateLimited: true,
    params: Params,
    responses: {
      '204': { description: 'Disconnected; `connection.disconnected` emitted.' },
      ...problemResponses(400, 401, 403, 404, 413, 415, 429),
    },
  },
  ({ ctx }) =>
    async (req, res) => {
      const { userId, partner } = parseOr400(Params, req.params, 'path');
      assertActsFor(res, userId);
      if (!ctx.partners.get(partner)) throw problems.notFound(`Unknown partner ${partner}`);
      await disconnect(ctx, userId, partner);
      res.status(204).end();
    },
);
