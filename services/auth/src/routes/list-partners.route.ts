import { MEASUREMENT_TYPES } from '@healthsync/partner-kit/declaration';
import { z } from 'zod';
import { defineRoute, problemResponses } from '../http/route.js';
import { PartnerView } from '../http/schemas.js';

const Response = z.object({ partners: z.array(PartnerView) });

export const listPartners = defineRoute(
  {
    operationId: 'listPartners',
    method: 'get',
    path: '/v1/partners',
    summary: 'Installed partners, their auth kind and the data types each can poll and push',
    tags: ['partners'],
    auth: 'user',
    rateLimited: true,
    responses: {
      '200': { description: 'The installed partners.', content: { 'application/json': Response } },
      ...problemResponses(401, 429),
    },
  },
  ({ ctx }) =>
    (_req, res) => {
      const partners = ctx.partners.list().map((p) => ({
        id: p.id,
        displayName: p.declaration.displayName,
        auth: {
          current: p.resolved.current,
          generations: Object.values(p.resolved.generations).map((g) => ({
            name: g.name,
            kind: g.kind,
            pkce: g.kind === 'oauth2' && g.pkce,
          })),
        },
        dataTypes: p.capabilities,
        measurementTypes: p.declaration.capabilities.measurement
          ? (p.declaration.measurementTypes ?? MEASUREMENT_TYPES)
          : [],
        webhooks: p.declaration.webhook !== undefined,
      }));
      res.json(Response.parse({ partners }));
    },
);
