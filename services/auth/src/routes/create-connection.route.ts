import { HttpProblem, parseOr400, problems } from '@healthsync/platform';
import { z } from 'zod';
import { startAuthorization } from '../domain/connect.js';
import { assertActsFor } from '../http/caller.js';
import { defineRoute, PartnerParam, problemResponses, UserIdParam } from '../http/route.js';
import { DataTypesBody } from '../http/schemas.js';
import { defaultDataTypes, normalizeDataTypes, unsupportedDataTypes } from '../partners.js';
import type { ReturnUrlAllowList } from '../return-url.js';

const Params = z.object({ userId: UserIdParam, partner: PartnerParam });
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
      params: Params,
      body: { required: true, content: { 'application/json': Body } },
      responses: {
        '201': { description: 'Pending authorization created.', content: { 'application/json': Created } },
        ...problemResponses(400, 401, 403, 404, 413, 415, 429, 502, 503),
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
        const returnUrl = returnUrls.check(body.returnUrl);
        if (!returnUrl)
          throw new HttpProblem(
            400,
            'return_url_not_allowed',
            'Return URL not allowed',
            'returnUrl is not on the allow-list',
          );
        const dataTypes = normalizeDataTypes(body.dataTypes ?? defaultDataTypes(partner));
        const unsupported = unsupportedDataTypes(partner, dataTypes);
        if (unsupported.length > 0)
          throw new HttpProblem(
            400,
            'unsupported_data_type',
            'Unsupported data type',
            `${partner.id} cannot ${unsupported.join(', ')}`,
          );
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
