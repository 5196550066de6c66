import type { WebhookRequest } from '@healthsync/partner-kit';
import { problems } from '@healthsync/platform';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { AuthContext } from '../context.js';
import { handleWebhook } from '../domain/webhooks.js';
import {
  defineRoute,
  type Method,
  PartnerParam,
  problemResponses,
  type RouteDeps,
  type RouteModule,
} from '../http/route.js';

const Params = z.object({ partner: PartnerParam });
const PATH = '/v1/webhooks/:partner';

function flat(source: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (typeof source !== 'object' || source === null) return out;
  for (const [k, v] of Object.entries(source)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

function webhookRequest(req: Request): WebhookRequest {
  const raw = req.rawBody ?? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
  return { method: req.method, query: flat(req.query), headers: flat(req.headers), rawBody: raw };
}

async function answer(ctx: AuthContext, req: Request, res: Response): Promise<void> {
  const partnerId = typeof req.params.partner === 'string' ? req.params.partner : '';
  const partner = ctx.partners.get(partnerId);
  const spec = partner?.declaration.webhook;
  if (!partner || !spec) throw problems.notFound(`No webhooks for ${partnerId}`);
  const { response } = await handleWebhook(ctx, partner, spec, webhookRequest(req));
  res.status(response.status);
  if (response.body === undefined || req.method === 'HEAD') {
    res.end();
    return;
  }
  if (typeof response.body === 'string') res.type(response.contentType ?? 'text/plain').send(response.body);
  else res.type(response.contentType ?? 'application/json').send(JSON.stringify(response.body));
}

const handler =
  ({ ctx }: RouteDeps): RequestHandler =>
  (req, res) =>
    answer(ctx, req, res);

const AnyBody = z.unknown().meta({ description: "Whatever the partner's protocol expects (often empty)." });
const partnerResponses = {
  '200': {
    description: 'Accepted or handshake answered, as the partner expects.',
    content: { '*/*': AnyBody },
  },
  '204': { description: 'Accepted or handshake answered (Fitbit).' },
  '400': { description: 'Rejected as the partner expects (Withings).', content: { '*/*': AnyBody } },
  '401': { description: 'Rejected as the partner expects.', content: { '*/*': AnyBody } },
  '403': { description: 'Rejected as the partner expects.', content: { '*/*': AnyBody } },
  '404': {
    description: 'Rejected as the partner expects (Fitbit), or no such partner (problem+json).',
    content: { ...problemResponses(404)['404']?.content, '*/*': AnyBody },
  },
  ...problemResponses(413),
};

const spec = (method: Method, summary: string): RouteModule =>
  defineRoute(
    {
      operationId: `webhook${method[0]?.toUpperCase()}${method.slice(1)}`,
      method,
      path: PATH,
      summary,
      description:
        "Verified by the partner declaration's `webhook` hooks; the partner's account ids are mapped to users and `partner.notified` is emitted through the outbox.",
      tags: ['webhooks'],
      auth: 'none',
      rateLimited: false,
      params: Params,
      ...(method === 'post' ? { body: { required: false, content: { '*/*': AnyBody } } } : {}),
      responses: partnerResponses,
    },
    handler,
  );

export const webhookRoutes: readonly RouteModule[] = [
  spec('post', 'Partner notification'),
  spec('get', 'Partner verification handshake (Fitbit `?verify=`, Strava `hub.challenge`)'),
  spec('head', 'Partner verification handshake (Withings HEAD)'),
];

/**
 * A body the shared parsers could not parse (malformed JSON) still goes to the partner's hooks,
 * which reject it in the partner's own way, never with our problem+json.
 */
export const webhookBodyErrors =
  ({ ctx }: RouteDeps): ErrorRequestHandler =>
  (err: unknown, req, res, next) => {
    const type = (err as { type?: unknown } | null)?.type;
    if (type !== 'entity.parse.failed' && type !== 'encoding.unsupported' && type !== 'charset.unsupported')
      return next(err);
    answer(ctx, req, res).catch(next);
  };
