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
  type ResponseSpec,
  type RouteDeps,
  type RouteModule,
} from '../http/route.js';
import type { InstalledPartners } from '../partners.js';

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

/**
 * The statuses are the partners' own: each installed declaration's `accepted` and `rejected`
 * answers, the handshake answers (Fitbit 204/404, Strava 200/403, Withings 200), a 404 problem
 * for a partner without webhooks, and 413 for an oversize body.
 */
function partnerResponses(partners: InstalledPartners): Record<string, ResponseSpec> {
  const uses = new Map<number, string[]>([
    [200, ['handshake (Strava `hub.challenge`, Withings HEAD)']],
    [204, ['handshake (Fitbit `?verify=`)']],
    [403, ['handshake refused (Strava)']],
    [404, ['handshake refused (Fitbit)']],
  ]);
  for (const p of partners.list()) {
    const hook = p.declaration.webhook;
    if (!hook) continue;
    uses.set(hook.accepted.status, [...(uses.get(hook.accepted.status) ?? []), `${p.id} accepted`]);
    uses.set(hook.rejected.status, [...(uses.get(hook.rejected.status) ?? []), `${p.id} rejected`]);
  }
  const out: Record<string, ResponseSpec> = {};
  for (const [status, what] of [...uses].sort(([a], [b]) => a - b)) {
    const problem = status === 404 ? problemResponses(404)['404']?.content : undefined;
    out[String(status)] = {
      description: `As the partner expects: ${what.join(', ')}.${status === 404 ? ' Also: no such partner (problem+json).' : ''}`,
      content: { ...problem, '*/*': AnyBody },
    };
  }
  if (!out['404']) out['404'] = problemResponses(404)['404'] as ResponseSpec;
  return { ...out, ...problemResponses(413) };
}

const spec = (partners: InstalledPartners, method: Method, summary: string): RouteModule =>
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
      responses: partnerResponses(partners),
    },
    handler,
  );

export const webhookRoutes = (partners: InstalledPartners): readonly RouteModule[] => [
  spec(partners, 'post', 'Partner notification'),
  spec(partners, 'get', 'Partner verification handshake (Fitbit `?verify=`, Strava `hub.challenge`)'),
  spec(partners, 'head', 'Partner verification handshake (Withings HEAD)'),
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
