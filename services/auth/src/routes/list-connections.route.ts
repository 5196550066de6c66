import { parseOr400 } from '@healthsync/platform';
import { z } from 'zod';
import { connectionView } from '../domain/connections.js';
import { assertActsFor } from '../http/caller.js';
import { defineRoute, problemResponses, UserIdParam } from '../http/route.js';
import { ConnectionView } from '../http/schemas.js';
import { listConnections as listRows } from '../repositories/connections.repository.js';

const Params = z.object({ userId: UserIdParam });
const Response = z.object({ connections: z.array(ConnectionView) });

export const listConnections = defineRoute(
  {
    operationId: 'listConnections',
    method: 'get',
    path: '/v1/users/:userId/connections',
    summary: "A user's connections: status, external account, data types, last error",
    tags: ['connections'],
    auth: 'user',
    rateLimited: true,
    params: Params,
    responses: {
      '200': {
        description: 'Every connection of the user, disconnected ones included.',
        content: { 'application/json': Response },
      },
      ...problemResponses(400, 401, 403, 429),
    },
  },
  ({ ctx }) =>
    async (req, res) => {
      const { userId } = parseOr400(Params, req.params, 'path');
      assertActsFor(res, userId);
      const rows = await listRows(ctx.db, userId);
      res.json({ connections: rows.filter((r) => ctx.partners.get(r.partner)).map(connectionView) });
    },
);
