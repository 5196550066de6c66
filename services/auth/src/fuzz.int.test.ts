import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acmeSetup,
  credentialCount,
  fitbitSetup,
  movesSetup,
  RETURN_URL,
  runkeeperSetup,
  startHarness,
  stravaSetup,
  withingsSetup,
} from './testing/harness.js';

const partners = {
  acme: acmeSetup(),
  withings: withingsSetup,
  fitbit: fitbitSetup,
  runkeeper: runkeeperSetup,
  moves: movesSetup,
  strava: stravaSetup,
};
let h: Awaited<ReturnType<typeof startHarness<typeof partners>>>;
let operations: { method: string; template: string }[];

beforeAll(async () => {
  h = await startHarness({ partners });
  const doc = h.auth.openApi as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.keys(ops).map((method) => ({ method, template })),
  );
});
afterAll(async () => {
  await h?.close();
});

// Dot segments are excluded: clients normalize them away, so they never reach a route.
const segment = fc
  .oneof(
    fc.constantFrom(
      'acme',
      'withings',
      'fitbit',
      'nope',
      'user-1',
      '-',
      '%2F',
      '%00',
      '%E2%82%AC',
      'a'.repeat(300),
    ),
    fc.string({ minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(s)),
  )
  .filter((s) => !/^(\.|%2e){1,2}$/i.test(s));
const queryValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom('', 'allow', '1', 'true', RETURN_URL),
);
const queryKey = fc.constantFrom(
  'state',
  'code',
  'error',
  'oauth_token',
  'oauth_verifier',
  'denied',
  'verify',
  'hub.challenge',
  'x',
  'state[]',
);
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      returnUrl: fc.oneof(fc.constant(RETURN_URL), fc.webUrl(), fc.string()),
      dataTypes: fc.record({
        poll: fc.array(fc.constantFrom('measurement', 'exercise', 'food', 'sleep')),
        push: fc.array(fc.string()),
      }),
      generation: fc.constantFrom('oauth2', 'oauth1', 'nope'),
      force: fc.oneof(fc.boolean(), fc.string()),
    },
    { requiredKeys: [] },
  ),
);
const body = fc.oneof(
  fc.record({ kind: fc.constant('json' as const), value: jsonBody }),
  fc.record({
    kind: fc.constant('raw' as const),
    value: fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constant('{"returnUrl": '),
      fc.constant('userid=1001&appli=1&startdate=1&enddate=2'),
    ),
    contentType: fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/octet-stream',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
      'application/problem+json',
    ),
  }),
  fc.constant({ kind: 'none' as const }),
);
const caller = fc.constantFrom('none', 'user', 'other-user', 'service', 'garbage');

describe('random requests to every route', () => {
  it('never answer 5xx, always answer documented statuses and bodies, and never store a credential', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(14);
    const before = await credentialCount(h.db);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }),
        body,
        caller,
        async (pick, segments, query, payload, who) => {
          const op = operations[pick % operations.length];
          if (!op) return;
          let i = 0;
          const path = op.template.replace(/\{[^}]+\}/g, () => segments[i++] ?? 'x');
          const qs = new URLSearchParams(query).toString();
          const userInPath = decodeURIComponent(segments[0] ?? 'x');
          const token =
            who === 'user'
              ? await h.userToken(userInPath.length > 0 && userInPath.length <= 128 ? userInPath : 'someone')
              : who === 'other-user'
                ? await h.userToken('someone-else')
                : who === 'service'
                  ? await h.serviceToken()
                  : null;
          const method = op.method.toUpperCase();
          const canHaveBody = !['GET', 'HEAD'].includes(method);
          const res = await h.api(`${path}${qs ? `?${qs}` : ''}`, {
            method,
            ...(token ? { token } : {}),
            ...(who === 'garbage' ? { headers: { authorization: 'Bearer garbage.token.value' } } : {}),
            ...(canHaveBody && payload.kind === 'json' ? { json: payload.value } : {}),
            ...(canHaveBody && payload.kind === 'raw'
              ? { body: payload.value, contentType: payload.contentType }
              : {}),
          });
          expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(500);
          if (res.status >= 400 && res.text && !path.startsWith('/v1/webhooks/'))
            expect(res.headers.get('content-type')).toContain('application/problem+json');
        },
      ),
      { numRuns: 400 },
    );
    expect(await credentialCount(h.db)).toBe(before);
  }, 120_000);
});
