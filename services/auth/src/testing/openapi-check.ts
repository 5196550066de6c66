import { z } from 'zod';

/**
 * Checks real responses against the served OpenAPI document (not against our zod schemas): the
 * operation must exist, the status must be documented for it, and a body must validate against
 * the JSON Schema of its media type (converted back with `z.fromJSONSchema`).
 */

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

type Doc = { paths: Record<string, Record<string, Operation>> };

export class OpenApiViolation extends Error {
  override readonly name = 'OpenApiViolation';
}

export interface OpenApiChecker {
  /** The documented path template of a concrete path, if any. */
  match(method: string, path: string): string | undefined;
  check(response: {
    method: string;
    path: string;
    status: number;
    contentType: string | null;
    body: string;
  }): void;
}

export function createOpenApiChecker(document: unknown): OpenApiChecker {
  const doc = document as Doc;
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  templates.sort((a, b) => a.params - b.params);
  const schemas = new Map<string, z.ZodType>();
  const schemaFor = (key: string, json: unknown) => {
    let s = schemas.get(key);
    if (!s) {
      s = z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
      schemas.set(key, s);
    }
    return s;
  };

  const match = (method: string, path: string) => {
    const m = method.toLowerCase();
    return templates.find((t) => t.regex.test(path) && doc.paths[t.template]?.[m])?.template;
  };

  return {
    match,
    check({ method, path, status, contentType, body }) {
      const m = method.toLowerCase();
      const template = match(m, path);
      if (!template)
        throw new OpenApiViolation(
          `${method} ${path} answered ${status} but the operation is not documented`,
        );
      const op = doc.paths[template]?.[m];
      const response = op?.responses?.[String(status)] ?? op?.responses?.default;
      if (!response) throw new OpenApiViolation(`${method} ${template}: status ${status} is not documented`);
      if (m === 'head' || body.length === 0) return;
      const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const content = response.content ?? {};
      const key = mediaType in content ? mediaType : '*/*' in content ? '*/*' : undefined;
      if (!key)
        throw new OpenApiViolation(
          `${method} ${template} ${status}: media type ${mediaType || '(none)'} is not documented`,
        );
      const schema = content[key]?.schema;
      if (schema === undefined) return;
      let value: unknown = body;
      if (mediaType.endsWith('json')) {
        try {
          value = JSON.parse(body);
        } catch {
          throw new OpenApiViolation(`${method} ${template} ${status}: body is not JSON`);
        }
      }
      const result = schemaFor(`${template} ${m} ${status} ${key}`, schema).safeParse(value);
      if (!result.success)
        throw new OpenApiViolation(
          `${method} ${template} ${status}: body does not match the document: ${result.error.message}`,
        );
    },
  };
}
