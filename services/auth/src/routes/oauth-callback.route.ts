import { problems } from '@healthsync/platform';
import { z } from 'zod';
import { completeAuthorization } from '../domain/connect.js';
import { defineRoute, PartnerParam, problemResponses } from '../http/route.js';

const Params = z.object({ partner: PartnerParam });
const Text = z.string().max(4096);
const Query = z.looseObject({
  state: Text.optional().meta({
    description: 'The state of the pending authorization (OAuth 1.0a: in our callback URL).',
  }),
  code: Text.optional(),
  error: Text.optional(),
  error_description: Text.optional(),
  oauth_token: Text.optional(),
  oauth_verifier: Text.optional(),
  denied: Text.optional(),
});

/** First value of each query parameter, as strings (repeated or nested parameters are ignored). */
function flatQuery(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (typeof query !== 'object' || query === null) return out;
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string') out[k] = v;
  return out;
}

export const oauthCallback = defineRoute(
  {
    operationId: 'oauthCallback',
    method: 'get',
    path: '/v1/oauth/:partner/callback',
    summary: 'Where the partner sends the browser back after consent',
    description:
      'Consumes the pending authorization, exchanges the code (or OAuth 1.0a verifier), stores the credentials encrypted and redirects to `returnUrl?status=connected|denied|error`.',
    tags: ['oauth'],
    auth: 'none',
    rateLimited: true,
    params: Params,
    query: Query,
    responses: {
      '302': {
        description: 'Back to the return URL with `status`.',
        headers: {
          location: {
            description: 'The return URL with `status=connected|denied|error`.',
            schema: z.string(),
          },
        },
      },
      ...problemResponses(400, 404, 429),
    },
  },
  ({ ctx }) =>
    async (req, res) => {
      const partnerId = typeof req.params.partner === 'string' ? req.params.partner : '';
      const partner = ctx.partners.get(partnerId);
      if (!partner) throw problems.notFound(`Unknown partner ${partnerId}`);
      const callbackUrl = new URL(req.originalUrl, ctx.publicUrl);
      const result = await completeAuthorization(ctx, partner, flatQuery(req.query), callbackUrl);
      res.setHeader('cache-control', 'no-store');
      // No body: the browser follows Location.
      res.status(302).location(result.redirect.toString()).end();
    },
);
