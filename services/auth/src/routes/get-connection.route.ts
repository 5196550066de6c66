import { parseOr400, problems } from '@healthsync/platform';
import { z } from 'zod';
import { connectionView } from '../domain/connections.js';
import { assertActsFor } from '../http/caller.js';
import { defineRoute, PartnerParam, problemResponses, UserIdParam } from '../http/route.js';
import { ConnectionView } from '../http/schemas.js';
import { findConnection } from '../repositories/connections.repository.js';

const Params = z.object({ userId: UserIdParam, partner: PartnerParam });

export const getConnection = defineRoute(
  {
    operationId: 'getConnection',
    method: 'get',
    path: '/v1/users/:userId/connections/:partner',
    summary: "One of a user's connections",
    tags: ['connections'],
    auth: 'user',
    rateLimited: true,
    params: Params,
    responses: {
      '200': { description: 'The connection.', content: { 'application/json': ConnectionView } },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  },
  ({ ctx }) =>
    async (req, res) => {
      const { userId, partner } = parseOr400(Params, req.params, 'path');
      assertActsFor(res, userId);
      const row = ctx.partners.get(partner) ? await findConnection(ctx.db, userId, partner) : undefined;
      if (!row) throw problems.notFound('No connection to this partner');
      res.json(connectionView(row));
    },
);
