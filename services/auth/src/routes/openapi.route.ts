import { z } from 'zod';
import { defineRoute } from '../http/route.js';

export const openApiDocument = defineRoute(
  {
    operationId: 'getOpenApi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tags: ['meta'],
    auth: 'none',
    rateLimited: false,
    responses: {
      '200': {
        description: 'OpenAPI 3.1 document.',
        content: { 'application/json': z.looseObject({ openapi: z.string() }) },
      },
    },
  },
  ({ openApi }) =>
    (_req, res) => {
      res.json(openApi());
    },
);
