import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from './http/openapi.js';
import { acmeSetup, startHarness, withingsSetup } from './testing/harness.js';

const partners = { acme: acmeSetup(), withings: withingsSetup };
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;

beforeAll(async () => {
  h = await startHarness({ partners });
});
afterAll(async () => {
  await h?.close();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every (method, path) the express app serves, from its router. */
function mounted(): string[] {
  const stack = (h.auth.app as unknown as { router: { stack: Layer[] } }).router.stack;
  const out: string[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const [method, on] of Object.entries(layer.route.methods))
      if (on && method !== '_all') out.push(`${method} ${openApiPath(layer.route.path)}`);
  }
  return out.sort();
}

describe('OpenAPI document', () => {
  it('is served at /openapi.json as OpenAPI 3.1', async () => {
    const res = await h.api('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ openapi: '3.1.0', info: { title: expect.any(String) } });
  });

  it('documents every mounted route, and mounts every documented one', async () => {
    const doc = (await h.api('/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    const served = mounted();
    expect(served.length).toBeGreaterThanOrEqual(14);
    expect(documented).toEqual(served);
  });

  it('gives every operation a unique id, responses and a security statement', async () => {
    const doc = (await h.api('/openapi.json')).json<{
      paths: Record<
        string,
        Record<string, { operationId: string; responses: Record<string, unknown>; security: unknown[] }>
      >;
    }>();
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    for (const op of ops) {
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      expect(Array.isArray(op.security)).toBe(true);
    }
    // The connection routes require a bearer token; the partner-facing ones do not.
    expect(doc.paths['/v1/users/{userId}/connections']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/oauth/{partner}/callback']?.get?.security).toEqual([]);
  });
});
