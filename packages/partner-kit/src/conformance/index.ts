import type { DataKind } from '@healthsync/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevPartnerEnv, type ResolvedPartner, resolvePartnerConfig } from '../config.js';
import {
  type Container,
  type ContainerOf,
  MEASUREMENT_TYPES,
  MEASUREMENT_UNITS,
  type MeasurementType,
} from '../containers.js';
import { pollAll } from '../cursor.js';
import type {
  Credentials,
  KindResource,
  PartnerApi,
  PartnerRequest,
  ResourceContext,
  WebhookRequest,
} from '../define-partner.js';
import { isPartnerError, PartnerError } from '../errors.js';
import { submitConsent } from '../fake/consent.js';
import type { FakeHandle, StartFakeOptions } from '../fake/types.js';
import { createPartnerHttp } from '../http/client.js';
import { createMemoryRateBudget } from '../http/rate-budget.js';
import { oauth1AccessToken, oauth1AuthorizeUrl, oauth1RequestToken } from '../oauth/oauth1.js';
import {
  createPkcePair,
  oauth2AuthorizeUrl,
  oauth2ExchangeCode,
  oauth2Refresh,
  randomState,
} from '../oauth/oauth2.js';
import { type RoundTripTolerance, roundTripDifferences } from '../round-trip.js';
import { localParts } from '../units.js';
import { validateContainer } from '../validate.js';

/**
 * The conformance suite every partner runs against its own fake (`describeConformance` inside a
 * `*.int.test.ts`). It drives the real flows over HTTP through the kit: the consent page, the
 * token endpoint, the signed client, the partner's resources and mappers. Partners opt in per
 * capability; what a partner declares (generations, push kinds, webhooks) decides the rest.
 */

export type AnyKindResource = KindResource<Container>;

export interface ConformanceOptions<F extends FakeHandle = FakeHandle> {
  api: PartnerApi;
  startFake: (options?: StartFakeOptions) => Promise<F>;
  /** Options for the fake (redirect URIs are set by the suite). */
  fakeOptions?: StartFakeOptions;
  /** Partner user ids to connect as (default: fresh ids from `controls.createUser()`). */
  newUser?: (fake: F) => string;
  /**
   * A call that needs a valid token (default: the first pollable kind's first page). Used by the
   * refresh, revocation, 429 and 5xx checks.
   */
  probe?: (ctx: ResourceContext) => Promise<unknown>;
  /** Auth flows of every generation (default on). */
  auth?: boolean;
  /** Expired token -> refresh -> retry succeeds, for generations that refresh (default on). */
  refresh?: boolean;
  /** A revoked user -> auth_revoked (default on). */
  revocation?: boolean;
  /** 429 -> rate_limited; a single 5xx on a read is retried (default on). */
  failures?: boolean | { reportsDelay?: boolean };
  /**
   * Paging ends: seed more items than a page holds and poll them all. `seed` adds `count` items of
   * a kind for a user at the fake; `pageSize` (optional) shrinks the fake's page.
   */
  pagination?: {
    kind: DataKind;
    count?: number;
    seed: (fake: F, externalUserId: string, kind: DataKind, count: number) => Promise<void> | void;
    /** Set the fake's page size (undefined: back to its default). */
    pageSize?: (fake: F, size: number | undefined) => void;
  };
  /** app -> partner -> app for the kinds the partner pushes (default: every kind with push and create). */
  roundTrip?:
    | boolean
    | {
        kinds?: readonly DataKind[];
        samples?: Partial<{ [K in DataKind]: ContainerOf<K> }>;
        /** Default: the API's `roundTrip`. */
        tolerance?: RoundTripTolerance;
      };
  /** Polled data is valid and metric, for a user seeded with `pagination.seed` (default on when seeding is given). */
  units?: boolean;
  /** Webhook verification, when the partner declares webhooks and the fake builds notifications. */
  webhook?: { kind: DataKind; signed?: boolean };
}

const REDIRECT = 'http://127.0.0.1:9/v1/oauth/conformance/callback';

export interface ConformanceConnection {
  readonly generation: string;
  readonly externalUserId: string;
  readonly ctx: ResourceContext;
  refreshes(): number;
}

function defaultSamples(now: Date): { [K in DataKind]: ContainerOf<K> } {
  const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - 2 * 3600_000);
  const iso = `${at.toISOString().slice(0, 19)}+00:00`;
  return {
    measurement: {
      kind: 'measurement',
      type: 'weight',
      value: 72.5,
      unit: 'kg',
      measuredAt: iso,
      utcOffsetMinutes: 0,
    },
    exercise: {
      kind: 'exercise',
      activityType: 'running',
      name: 'Conformance run',
      startedAt: iso,
      utcOffsetMinutes: 0,
      durationSeconds: 1800,
      calories: 320,
      distanceMeters: 5000,
    },
    food: {
      kind: 'food',
      name: 'Conformance apple',
      meal: 'snack',
      consumedAt: iso,
      utcOffsetMinutes: 0,
      calories: 95,
    },
  };
}

async function rejected(p: Promise<unknown>): Promise<PartnerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (isPartnerError(e)) return e;
  throw new Error(`expected a PartnerError, got ${e === undefined ? 'success' : String(e)}`);
}

function tamper(req: WebhookRequest): WebhookRequest {
  const body = Buffer.from(req.rawBody);
  if (body.length === 0) return { ...req, rawBody: Buffer.from('x') };
  const i = Math.floor(body.length / 2);
  body[i] = (body[i] ?? 0) ^ 0x01;
  return { ...req, rawBody: body };
}

/** Register the conformance tests for one partner. */
export function describeConformance<F extends FakeHandle>(options: ConformanceOptions<F>): void {
  const { api } = options;
  const decl = api.declaration;

  describe(`${decl.id} conformance`, () => {
    let fake: F;
    let resolved: ResolvedPartner;

    beforeAll(async () => {
      fake = await options.startFake({ ...(options.fakeOptions ?? {}), redirectUris: [REDIRECT] });
      resolved = resolvePartnerConfig(
        decl,
        createDevPartnerEnv(decl, fake.url, {
          clientId: fake.clientId,
          clientSecret: fake.clientSecret,
          webhookVerifyToken: 'conformance-verify',
        }),
      );
    });
    afterAll(async () => {
      await fake?.close();
    });

    const newUser = () => (options.newUser ? options.newUser(fake) : fake.controls.createUser());

    /** Connect a fresh partner user through the generation's real flow (consent page over HTTP). */
    async function connect(generation: string, user = newUser()): Promise<ConformanceConnection> {
      const gen = resolved.generations[generation];
      if (!gen) throw new Error(`unknown generation ${generation}`);
      let credentials: Credentials;
      let refreshToken: string | undefined;
      let externalUserId = user;
      if (gen.kind === 'oauth2') {
        const state = randomState();
        const pkce = gen.pkce ? await createPkcePair() : undefined;
        const url = oauth2AuthorizeUrl(resolved, generation, {
          redirectUri: REDIRECT,
          state,
          ...(pkce ? { codeChallenge: pkce.challenge } : {}),
        });
        const callbackUrl = await submitConsent(url, { user });
        const tokens = await oauth2ExchangeCode(resolved, generation, {
          callbackUrl,
          expectedState: state,
          redirectUri: REDIRECT,
          ...(pkce ? { codeVerifier: pkce.verifier } : {}),
        });
        if (tokens.externalUserId !== undefined) {
          expect(tokens.externalUserId).toBe(user);
          externalUserId = tokens.externalUserId;
        }
        credentials = {
          kind: 'oauth2',
          generation,
          accessToken: tokens.accessToken,
          ...(tokens.expiresAt ? { expiresAt: tokens.expiresAt } : {}),
        };
        refreshToken = tokens.refreshToken;
      } else {
        const temp = await oauth1RequestToken(resolved, generation, { callbackUrl: REDIRECT });
        const back = await submitConsent(oauth1AuthorizeUrl(resolved, generation, temp.token), { user });
        const access = await oauth1AccessToken(resolved, generation, {
          ...temp,
          verifier: back.searchParams.get('oauth_verifier') ?? '',
        });
        if (access.externalUserId !== undefined) {
          expect(access.externalUserId).toBe(user);
          externalUserId = access.externalUserId;
        }
        credentials = { kind: 'oauth1', generation, token: access.token, tokenSecret: access.tokenSecret };
      }
      let refreshes = 0;
      const http = createPartnerHttp({
        api,
        resolved,
        userKey: `${generation}:${externalUserId}`,
        budget: createMemoryRateBudget({ partner: decl.id, limits: decl.rateLimits, maxWaitMs: 0 }),
        retryBaseMs: 5,
        credentials: async () => credentials,
        refreshCredentials: async () => {
          refreshes++;
          if (gen.kind !== 'oauth2' || !refreshToken)
            throw new PartnerError('auth_revoked', `${decl.id} ${generation} cannot refresh`, {
              partner: decl.id,
            });
          const next = await oauth2Refresh(resolved, generation, refreshToken);
          refreshToken = next.refreshToken ?? refreshToken;
          credentials = { kind: 'oauth2', generation, accessToken: next.accessToken };
          return credentials;
        },
      });
      return {
        generation,
        externalUserId,
        ctx: { http, externalUserId, generation, now: new Date() },
        refreshes: () => refreshes,
      };
    }

    const pollable = (Object.keys(api.resources) as DataKind[]).filter(
      (k) => decl.capabilities[k]?.poll && api.resources[k]?.poll !== undefined,
    );
    const resourceOf = (kind: DataKind): AnyKindResource | undefined =>
      api.resources[kind] as AnyKindResource | undefined;
    const probe = async (ctx: ResourceContext) => {
      if (options.probe) return options.probe(ctx);
      const kind = pollable[0];
      const resource = kind ? resourceOf(kind) : undefined;
      if (!resource?.poll) throw new Error(`${decl.id}: no pollable resource; pass a probe`);
      return resource.poll(ctx, undefined);
    };
    const canProbe = options.probe !== undefined || pollable.length > 0;

    if (options.auth ?? true) {
      describe('authorization', () => {
        for (const [name, gen] of Object.entries(decl.auth.generations)) {
          it(`${name} (${gen.kind}): the consent page, the token exchange and a signed call`, async () => {
            const c = await connect(name);
            if (canProbe) await probe(c.ctx);
          });
          if (gen.kind === 'oauth2') {
            it(`${name}: a denied consent ends as auth_revoked`, async () => {
              const state = randomState();
              const pkce = gen.pkce ? await createPkcePair() : undefined;
              const url = oauth2AuthorizeUrl(resolved, name, {
                redirectUri: REDIRECT,
                state,
                ...(pkce ? { codeChallenge: pkce.challenge } : {}),
              });
              const callbackUrl = await submitConsent(url, { decision: 'deny' });
              expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
              const e = await rejected(
                oauth2ExchangeCode(resolved, name, {
                  callbackUrl,
                  expectedState: state,
                  redirectUri: REDIRECT,
                }),
              );
              expect(e.code).toBe('auth_revoked');
            });
          }
        }
      });
    }

    const refreshing = Object.entries(decl.auth.generations).filter(
      ([, g]) => g.kind === 'oauth2' && g.refresh !== 'none',
    );
    if ((options.refresh ?? true) && canProbe && refreshing.length > 0) {
      describe('token refresh', () => {
        for (const [name] of refreshing) {
          it(`${name}: an expired access token is refreshed once and the call retried`, async () => {
            const c = await connect(name);
            fake.controls.expireAccessTokens(c.externalUserId);
            const before = fake.controls.tokenEndpointCalls();
            await probe(c.ctx);
            expect(c.refreshes()).toBe(1);
            expect(fake.controls.tokenEndpointCalls() - before).toBe(1);
            await probe(c.ctx);
            expect(c.refreshes()).toBe(1);
          });
        }
      });
    }

    if ((options.revocation ?? true) && canProbe) {
      describe('revocation', () => {
        for (const name of Object.keys(decl.auth.generations)) {
          it(`${name}: a user who revoked access gets auth_revoked`, async () => {
            const c = await connect(name);
            fake.controls.revokeUser(c.externalUserId);
            const e = await rejected(probe(c.ctx));
            expect(e.code).toBe('auth_revoked');
          });
        }
      });
    }

    const failures = options.failures ?? true;
    if (failures && canProbe) {
      describe('failures', () => {
        it('a 429 from the partner is rate_limited with a retry time', async () => {
          const c = await connect(decl.auth.current);
          fake.controls.rateLimitNext(120);
          const started = Date.now();
          const e = await rejected(probe(c.ctx));
          expect(e.code).toBe('rate_limited');
          expect(e.details.retryAt?.getTime()).toBeGreaterThan(started);
          if (typeof failures === 'object' && failures.reportsDelay) {
            const wait = (e.details.retryAt?.getTime() ?? 0) - started;
            expect(wait).toBeGreaterThan(110_000);
            expect(wait).toBeLessThanOrEqual(125_000);
          }
        });
        it('a single 5xx on a read is retried and succeeds', async () => {
          const c = await connect(decl.auth.current);
          fake.controls.failNext(1, 503);
          await probe(c.ctx);
        });
        it('repeated 5xx end as transient', async () => {
          const c = await connect(decl.auth.current);
          fake.controls.failNext(10, 503);
          const e = await rejected(probe(c.ctx));
          expect(e.code).toBe('transient');
          // Use up the failures left in the queue so later tests start clean.
          for (let i = 0; i < 10; i++) {
            const ok = await probe(c.ctx).then(
              () => true,
              () => false,
            );
            if (ok) break;
          }
        });
      });
    }

    const pagination = options.pagination;
    if (pagination) {
      describe('polling', () => {
        it(`${pagination.kind}: paging ends and every seeded item arrives once`, async () => {
          const resource = resourceOf(pagination.kind);
          if (!resource?.poll) throw new Error(`${decl.id} cannot poll ${pagination.kind}`);
          const c = await connect(decl.auth.current);
          const count = pagination.count ?? 7;
          pagination.pageSize?.(fake, 3);
          try {
            await pagination.seed(fake, c.externalUserId, pagination.kind, count);
            const all = await pollAll(resource, c.ctx, undefined, { maxPages: 200 });
            expect(all.truncated).toBe(false);
            expect(all.rejected).toEqual([]);
            const ids = all.items.map((i) => i.externalId);
            expect(new Set(ids).size).toBe(ids.length);
            expect(ids.length).toBeGreaterThanOrEqual(count);
            if (pagination.pageSize) expect(all.pages).toBeGreaterThan(1);
          } finally {
            pagination.pageSize?.(fake, undefined);
          }
        });

        if (options.units ?? true) {
          it('polled data is valid, dated with an offset and metric', async () => {
            const c = await connect(decl.auth.current);
            for (const kind of pollable) {
              await pagination.seed(fake, c.externalUserId, kind, 3);
              const resource = resourceOf(kind);
              if (!resource?.poll) continue;
              const all = await pollAll(resource, c.ctx, undefined, { maxPages: 200 });
              expect(all.rejected).toEqual([]);
              expect(all.items.length).toBeGreaterThan(0);
              for (const item of all.items) {
                const v = validateContainer(kind, item.data);
                expect(v.ok ? 'valid' : v.reason).toBe('valid');
                if (item.data.kind === 'measurement')
                  expect(item.data.unit).toBe(MEASUREMENT_UNITS[item.data.type].unit);
                const when =
                  item.data.kind === 'measurement'
                    ? item.data.measuredAt
                    : item.data.kind === 'exercise'
                      ? item.data.startedAt
                      : item.data.consumedAt;
                expect(localParts(when).utcOffsetMinutes).toBe(item.data.utcOffsetMinutes);
              }
            }
          });
        }
      });
    }

    const writable = (Object.keys(decl.capabilities) as DataKind[]).filter(
      (k) => decl.capabilities[k]?.push && resourceOf(k)?.create,
    );
    if (writable.length > 0)
      describe('writes', () => {
        for (const kind of writable)
          it(`${kind}: an item that is no valid container is refused before any call`, async () => {
            const c = await connect(decl.auth.current);
            const calls: string[] = [];
            const ctx = {
              ...c.ctx,
              http: {
                ...c.ctx.http,
                request: (req: PartnerRequest) => {
                  calls.push(req.path);
                  return c.ctx.http.request(req);
                },
              },
            };
            // An offset no clock has: every container refuses it.
            const broken = { ...defaultSamples(new Date())[kind], utcOffsetMinutes: 5000 };
            const e = await rejected(
              resourceOf(kind)?.create?.(ctx, broken as Container) ?? Promise.resolve(),
            );
            expect(e.code).toBe('invalid_data');
            expect(e.message.startsWith(`not sendable to ${decl.displayName}: `), e.message).toBe(true);
            expect(calls).toEqual([]);
          });
        const kept = decl.measurementTypes;
        const measurements = resourceOf('measurement');
        if (kept && writable.includes('measurement') && measurements?.create)
          it(`measurement: the declared types (${kept.join(', ')}) are created, any other refused before any call`, async () => {
            const c = await connect(decl.auth.current);
            // The default measurement, as each type in its unit and at a plausible value.
            const sample = (type: MeasurementType): Container => {
              const { unit, min, max } = MEASUREMENT_UNITS[type];
              const value = Math.round(min + (max - min) / 8);
              return { ...defaultSamples(new Date()).measurement, type, value, unit };
            };
            for (const type of kept) {
              const created = await measurements.create?.(c.ctx, sample(type));
              expect(created?.externalId, type).toBeTruthy();
            }
            for (const type of MEASUREMENT_TYPES.filter((t) => !kept.includes(t))) {
              const e = await rejected(measurements.create?.(c.ctx, sample(type)) ?? Promise.resolve());
              expect([e.code, e.message.startsWith(`not sendable to ${decl.displayName}: `)], type).toEqual([
                'invalid_data',
                true,
              ]);
            }
          });
      });

    const rt = options.roundTrip ?? true;
    if (rt) {
      const conf = typeof rt === 'object' ? rt : {};
      const kinds = (conf.kinds ?? (Object.keys(decl.capabilities) as DataKind[])).filter(
        (k) => decl.capabilities[k]?.push && resourceOf(k)?.create && resourceOf(k)?.poll,
      );
      if (kinds.length > 0) {
        describe('round trip', () => {
          for (const kind of kinds) {
            it(`${kind}: app -> partner -> app is equal within tolerance`, async () => {
              const resource = resourceOf(kind);
              if (!resource?.create || !resource.poll) throw new Error('unreachable');
              const c = await connect(decl.auth.current);
              const sample: Container = conf.samples?.[kind] ?? defaultSamples(new Date())[kind];
              const pushed = await resource.create(c.ctx, sample);
              expect(pushed.externalId).not.toBe('');
              const all = await pollAll(resource, c.ctx, undefined, { maxPages: 200 });
              const back = all.items.find((i) => i.externalId === pushed.externalId);
              expect(back, `pushed ${kind} ${pushed.externalId} not found in the poll`).toBeDefined();
              if (back)
                expect(roundTripDifferences(sample, back.data, conf.tolerance ?? api.roundTrip)).toEqual([]);
              if (decl.capabilities[kind]?.delete && resource.delete) {
                await resource.delete(c.ctx, pushed.externalId);
                const after = await pollAll(resource, c.ctx, undefined, { maxPages: 200 });
                expect(after.items.some((i) => i.externalId === pushed.externalId)).toBe(false);
              }
            });
          }
        });
      }
    }

    const webhook = options.webhook;
    if (webhook && decl.webhook) {
      const spec = decl.webhook;
      describe('webhooks', () => {
        it(`a ${webhook.kind} notification is accepted and parsed`, async () => {
          const build = fake.controls.notification;
          if (!build) throw new Error(`${decl.id}: the fake builds no notifications (controls.notification)`);
          const user = newUser();
          const req = build.call(fake.controls, user, webhook.kind);
          const ctx = { clientSecret: fake.clientSecret, verifyToken: 'conformance-verify' };
          expect(spec.verify(req, ctx)).toBe(true);
          const parsed = spec.parse(req);
          expect(parsed.some((n) => n.externalUserId === user && n.kinds.includes(webhook.kind))).toBe(true);
        });
        if (webhook.signed ?? true) {
          it('a tampered notification is rejected', async () => {
            const build = fake.controls.notification;
            if (!build)
              throw new Error(`${decl.id}: the fake builds no notifications (controls.notification)`);
            const req = build.call(fake.controls, newUser(), webhook.kind);
            const ctx = { clientSecret: fake.clientSecret, verifyToken: 'conformance-verify' };
            expect(spec.verify(tamper(req), ctx)).toBe(false);
            expect(spec.verify(req, { ...ctx, clientSecret: `${fake.clientSecret}-wrong` })).toBe(false);
          });
        }
      });
    }
  });
}
