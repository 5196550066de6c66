import { HttpProblem } from '@healthsync/platform';
import { z } from 'zod';
import { startAuthorization } from '../domain/connect.js';
import { assertSupportedDataTypes, ConnectionParams, connectionRequest } from '../http/connection-request.js';
import { defineRoute, problemResponses } from '../http/route.js';
import { DataTypesBody } from '../http/schemas.js';
import { defaultDataTypes, normalizeDataTypes } from '../partners.js';
import type { ReturnUrlAllowList } from '../return-url.js';

const Body = z.strictObject({
  returnUrl: z
    .string()
    .min(1)
    .max(2048)
    .meta({ description: 'Where the browser goes afterwards (allow-listed).' }),
  dataTypes: DataTypesBody.optional(),
  generation: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/)
    .optional()
    .meta({ description: "Auth generation to connect with; the partner's current one by default." }),
});
const Created = z.object({
  authorizeUrl: z.url().meta({ description: "The partner's consent page; send the browser there." }),
  expiresAt: z.iso.datetime({ offset: true }),
});

export const createConnection = (returnUrls: ReturnUrlAllowList) =>
  defineRoute(
    {
      operationId: 'createConnection',
      method: 'post',
      path: '/v1/users/:userId/connections/:partner',
      summary: 'Start connecting a partner: returns the consent URL',
      description:
        'Creates a single-use pending authorization (state, PKCE verifier or OAuth 1.0a request token kept server-side, 10-minute expiry).',
      tags: ['connections'],
      auth: 'user',
      rateLimited: true,
      params: ConnectionParams,
      body: { required: true, content: { 'application/json': Body } },
      responses: {
        '201': { description: 'Pending authorization created.', content: { 'application/json': Created } },
        ...problemResponses(400, 401, 403, 404, 413, 415, 429, 502, 503),
      },
    },
    ({ ctx }) =>
      async (req, res) => {
        const { params, body, partner } = connectionRequest(ctx, req, res, Body);
        const returnUrl = returnUrls.check(body.returnUrl);
        if (!returnUrl)
          throw new HttpProblem(
            400,
            'return_url_not_allowed',
            'Return URL not allowed',
            'returnUrl is not on the allow-list',
          );
        const dataTypes = normalizeDataTypes(body.dataTypes ?? defaultDataTypes(partner));
        assertSupportedDataTypes(partner, dataTypes);
        const started = await startAuthorization(ctx, {
          userId: params.userId,
          partner,
          returnUrl,
          dataTypes,
          ...(body.generation ? { generation: body.generation } : {}),
        });
        res
          .status(201)
          .json({ authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt.toISOString() });
      },
  );
