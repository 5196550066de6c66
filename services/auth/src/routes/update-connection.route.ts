import { z } from 'zod';
import { changePreferences } from '../domain/connections.js';
import { assertSupportedDataTypes, ConnectionParams, connectionRequest } from '../http/connection-request.js';
import { defineRoute, problemResponses } from '../http/route.js';
import { ConnectionView, DataTypesBody } from '../http/schemas.js';

const Body = z.strictObject({ dataTypes: DataTypesBody });

export const updateConnection = defineRoute(
  {
    operationId: 'updateConnection',
    method: 'patch',
    path: '/v1/users/:userId/connections/:partner',
    summary: 'Change the data types polled from and pushed to a partner',
    tags: ['connections'],
    auth: 'user',
    rateLimited: true,
    params: ConnectionParams,
    body: { required: true, content: { 'application/json': Body } },
    responses: {
      '200': { description: 'The updated connection.', content: { 'application/json': ConnectionView } },
      ...problemResponses(400, 401, 403, 404, 413, 415, 429),
    },
  },
  ({ ctx }) =>
    async (req, res) => {
      const { params, body, partner } = connectionRequest(ctx, req, res, Body);
      assertSupportedDataTypes(partner, body.dataTypes);
      res.json(await changePreferences(ctx, params.userId, partner.id, body.dataTypes));
    },
);
