import { z } from 'zod';
import type { RouteSpec } from './route.js';

/** `/v1/users/:userId` -> `/v1/users/{userId}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

function parameters(where: 'path' | 'query', schema: z.ZodObject | undefined): unknown[] {
  if (!schema) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, s]) => {
    const full = jsonSchema(s, 'input');
    const { description, ...rest } = full;
    return {
      name,
      in: where,
      required: where === 'path' || !s.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function content(
  byType: Readonly<Record<string, z.ZodType>>,
  io: 'input' | 'output',
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(byType).map(([type, s]) => [type, { schema: jsonSchema(s, io) }]));
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  serverUrl?: string;
}

/** The OpenAPI 3.1 document of the given routes (schemas inlined, JSON Schema 2020-12). */
export function buildOpenApi(specs: readonly RouteSpec[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [...spec.tags],
      parameters: [...parameters('path', spec.params), ...parameters('query', spec.query)],
      ...(spec.body
        ? { requestBody: { required: spec.body.required, content: content(spec.body.content, 'input') } }
        : {}),
      responses: Object.fromEntries(
        Object.entries(spec.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.headers
              ? {
                  headers: Object.fromEntries(
                    Object.entries(r.headers).map(([h, d]) => [
                      h,
                      { description: d.description, schema: jsonSchema(d.schema, 'output') },
                    ]),
                  ),
                }
              : {}),
            ...(r.content ? { content: content(r.content, 'output') } : {}),
          },
        ]),
      ),
      security: spec.auth === 'none' ? [] : [{ bearerAuth: [] }],
    };
    if (spec.auth !== 'none') operation['x-required-role'] = spec.auth;
    paths[path][spec.method] = operation;
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: { title: info.title, version: info.version, description: info.description },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: '`sub` is the user id; `role: "service"` may act for any user.',
        },
      },
    },
  };
}
