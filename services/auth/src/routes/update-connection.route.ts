import { HttpProblem, parseOr400, problems } from '@healthsync/platform';
import { z } from 'zod';
import { changePreferences } from '../domain/connections.js';
import { assertActsFor } from '../http/caller.js';
import { defineRoute, PartnerParam, problemResponses, UserIdParam } from '../http/route.js';
import { ConnectionView, DataTypesBody } from '../http/schemas.js';
import { unsupportedDataTypes } from '../partners.js';

const Params = z.object({ userId: UserIdParam, partner: PartnerParam });
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
    params: Params,
    body: { required: true, content: { 'application/json': Body } },
    responses: {
      '200': { description: 'The updated connection.', content: { 'application/json': ConnectionView } },
      ...problemResponses(400, 401, 403, 404, 413, 415, 429),
    },
  },
  ({ ctx }) =>
    async (req, res) => {
      const params = parseOr400(Params, req.params, 'path');
      assertActsFor(res, params.userId);
      if (!req.is('application/json'))
        throw new HttpProblem(
          415,
          'unsupported_media_type',
          'Unsupported media type',
          'Send application/json',
        );
      const body = parseOr400(Body, req.body, 'body');
      const partner = ctx.partners.get(params.partner);
      if (!partner) throw problems.notFound(`Unknown partner ${params.partner}`);
      const unsupported = unsupportedDataTypes(partner, body.dataTypes);
      if (unsupported.length > 0)
        throw new HttpProblem(
          400,
          'unsupported_data_type',
          'Unsupported data type',
          `${partner.id} cannot ${unsupported.join(', ')}`,
        );
      res.json(await changePreferences(ctx, params.userId, partner.id, body.dataTypes));
    },
);
