import { HttpProblem, parseOr400, problems } from '@healthsync/platform';
import { z } from 'zod';
import { DecryptError } from '../crypto/key-ring.js';
import { getUsableCredentials, type UsableCredentials } from '../domain/credentials.js';
import { assertService } from '../http/caller.js';
import { requireJson } from '../http/connection-request.js';
import { defineRoute, PartnerParam, problemResponses, UserIdParam } from '../http/route.js';
import { CredentialsView } from '../http/schemas.js';

const Params = z.object({ partner: PartnerParam, userId: UserIdParam });
const Body = z.strictObject({
  force: z
    .boolean()
    .optional()
    .meta({ description: 'The partner answered 401 to the token you have: refresh it.' }),
});

export const internalCredentials = defineRoute(
  {
    operationId: 'getCredentials',
    method: 'post',
    path: '/internal/v1/credentials/:partner/:userId',
    summary: 'Usable credentials for a sync worker (service role only)',
    description:
      'Refreshes first when the access token is close to expiry, or when `force` is sent; concurrent callers share one refresh across processes. The only response that carries tokens.',
    tags: ['internal'],
    auth: 'service',
    rateLimited: false,
    params: Params,
    body: { required: false, content: { 'application/json': Body } },
    responses: {
      '200': {
        description: 'Credentials (never cache beyond `expiresAt`).',
        content: { 'application/json': CredentialsView },
        headers: { 'cache-control': { description: '`no-store`', schema: z.string() } },
      },
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503),
    },
  },
  ({ ctx }) =>
    async (req, res) => {
      const params = parseOr400(Params, req.params, 'path');
      assertService(res);
      const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0';
      if (hasBody) requireJson(req);
      const body = parseOr400(Body, req.body ?? {}, 'body');
      if (!ctx.partners.get(params.partner)) throw problems.notFound(`Unknown partner ${params.partner}`);
      let creds: UsableCredentials;
      try {
        creds = await getUsableCredentials(
          ctx,
          params.partner,
          params.userId,
          body.force ? { force: true } : {},
        );
      } catch (e) {
        if (!(e instanceof DecryptError)) throw e;
        // Altered bytes, a row copied from elsewhere, or a key missing from the ring.
        ctx.logger.error(
          { partner: params.partner, userId: params.userId, keyId: e.keyId },
          'stored credentials do not decrypt',
        );
        throw new HttpProblem(
          500,
          'credentials_unreadable',
          'Credentials unreadable',
          'The stored credentials failed their integrity check',
        );
      }
      // Sent as is, without res.json's ETag: a validator (a hash of the body) has no use on a
      // no-store response that carries tokens, and this is the busiest route.
      res.setHeader('cache-control', 'no-store');
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(
        JSON.stringify({
          accessToken: creds.accessToken,
          ...(creds.tokenSecret ? { tokenSecret: creds.tokenSecret } : {}),
          expiresAt: creds.expiresAt?.toISOString() ?? null,
          generation: creds.generation,
          externalUserId: creds.externalUserId,
        }),
      );
    },
);
