import express, { type Express, type Request, type Router } from 'express';
import { createFaults, type FaultRenderers, type Faults } from './faults.js';
import { listen } from './http.js';
import { createFakeOAuth1Server, type FakeOAuth1Options, type FakeOAuth1Server } from './oauth1-server.js';
import { createFakeOAuth2Server, type FakeOAuth2Options, type FakeOAuth2Server } from './oauth2-server.js';
import { demoSeed, userRandom } from './random.js';
import type { AuthenticateResult } from './tokens.js';
import {
  type FakeClock,
  type FakeControls,
  type FakeHandle,
  type StartFakeOptions,
  systemFakeClock,
} from './types.js';
import { FakeUsers } from './users.js';

/**
 * What every partner fake is made of, so that a fake keeps only what is its partner's own
 * (routes, envelopes, quirks): options and default credentials, the partner-side accounts, the
 * OAuth server(s) on one express app, fault injection, demo history on a user's first use, the
 * test controls, and listen/close.
 */

/** What a partner's `startFake` accepts at the least (`pnpm fake <id> --port N --host H --no-seed`). */
export interface PartnerFakeOptions extends Omit<StartFakeOptions, 'seed'> {
  /** Demo history for every new user, generated from this seed; `false`: users start empty. Default 1. */
  seed?: number | boolean;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
}

/** The OAuth 2.0 server's options the fake fills in (partner, client, clock, users, redirect URIs). */
export type PartnerOAuth2Options = Omit<
  FakeOAuth2Options,
  'partner' | 'clientId' | 'clientSecret' | 'redirectUris' | 'clock' | 'users'
>;
export type PartnerOAuth1Options = Omit<
  FakeOAuth1Options,
  'partner' | 'consumerKey' | 'consumerSecret' | 'clock' | 'users'
>;

export interface PartnerFakeSpec {
  /** The name on the consent page and in issued tokens. */
  partner: string;
  /** The options `startFake` was given. */
  options: PartnerFakeOptions;
  /** Credentials when the options name none. */
  client: { id: string; secret: string };
  /** Partner-side user ids: how a new one looks (default 10001, 10002...). */
  newUserId?: (n: number) => string;
  /** The id a test asks `createUser` for, as the partner spells it; throws a RangeError when it cannot be one. */
  acceptUserId?: (id: string) => string;
  /** 5xx and rate-limit answers injected by `failNext` / `rateLimitNext`, the partner's way. */
  faults?: FaultRenderers;
  /** The partner-side account of a user seen for the first time, without demo history. */
  account?: (userId: string) => void;
  demo?: {
    /** Demo history for a user seen for the first time (instead of `account`), from their own generator. */
    plant: (userId: string, random: () => number) => void;
    /** false: no demo history whatever the seed (a fake's own switch). */
    enabled?: boolean;
    /** History waits for the user's first API call, so a test may plant its own data after `createUser`. */
    lazy?: boolean;
  };
}

export interface PartnerFake {
  readonly clock: FakeClock;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly users: FakeUsers;
  readonly faults: Faults;
  /** The fake's app: the OAuth routers are mounted on it as they are created, then the partner's routes. */
  readonly app: Express;
  /**
   * A router mounted on `app` ahead of the OAuth routers, for the partner's data API: its calls
   * (the hot path) do not walk past the OAuth routes first. Its paths must not be OAuth paths.
   */
  readonly api: Router;
  /** The demo seed, or undefined when users start empty. */
  readonly seed: number | undefined;
  /** Make sure a user's account exists (demo history or `account`, once per user). */
  ensureUser(userId: string): void;
  /** The OAuth 2.0 server, its router mounted on `app`; the first one created authenticates API calls. */
  oauth2(options: PartnerOAuth2Options): FakeOAuth2Server;
  oauth1(options: PartnerOAuth1Options): FakeOAuth1Server;
  /** An API call's Bearer token (first OAuth 2.0 server); the user's account is made sure of. */
  authenticate(req: Request): AuthenticateResult;
  /** The standard controls (users, tokens of every OAuth server, faults). */
  readonly controls: FakeControls;
  /**
   * Listen on the options' port and host; the handle is `extra` with url, credentials, controls
   * (the standard ones, `options.controls` replacing some) and close (after `options.beforeClose`).
   */
  listen<H extends object>(
    extra: H,
    options?: { controls?: Partial<FakeControls>; beforeClose?: () => Promise<unknown> },
  ): Promise<H & FakeHandle>;
}

export function createPartnerFake(spec: PartnerFakeSpec): PartnerFake {
  const { options } = spec;
  const clock = options.clock ?? systemFakeClock;
  const clientId = options.clientId ?? spec.client.id;
  const clientSecret = options.clientSecret ?? spec.client.secret;
  const users = new FakeUsers(spec.newUserId);
  const faults = createFaults(spec.faults ?? {});
  const seed = spec.demo && spec.demo.enabled !== false ? demoSeed(options.seed) : undefined;
  const app = express();
  app.disable('x-powered-by');
  // Partner APIs answer without entity tags here; computing one hashed every answer.
  app.set('etag', false);
  const api = express.Router();
  app.use(api);

  const oauth2Servers: FakeOAuth2Server[] = [];
  const oauth1Servers: FakeOAuth1Server[] = [];
  const mount = <S extends { router: Router }>(server: S, list: S[]): S => {
    list.push(server);
    app.use(server.router);
    return server;
  };
  const known = new Set<string>();
  const ensureUser = (userId: string) => {
    if (known.has(userId)) return;
    known.add(userId);
    if (spec.demo && seed !== undefined) spec.demo.plant(userId, userRandom(seed, userId));
    else spec.account?.(userId);
  };

  const controls: FakeControls = {
    createUser: (externalUserId) => {
      const id = users.create(
        externalUserId === undefined || !spec.acceptUserId
          ? externalUserId
          : spec.acceptUserId(externalUserId),
      );
      if (spec.demo?.lazy && seed !== undefined) spec.account?.(id);
      else ensureUser(id);
      return id;
    },
    expireAccessTokens: (id) => {
      for (const s of oauth2Servers) s.expireAccessTokens(id);
    },
    revokeUser: (id) => {
      for (const s of [...oauth2Servers, ...oauth1Servers]) s.revokeUser(id);
    },
    failNext: (count, status) => faults.failNext(count, status),
    rateLimitNext: (seconds, count) => faults.rateLimitNext(seconds, count),
    tokenEndpointCalls: () =>
      [...oauth2Servers, ...oauth1Servers].reduce((n, s) => n + s.tokenEndpointCalls(), 0),
  };

  return {
    clock,
    clientId,
    clientSecret,
    users,
    faults,
    app,
    api,
    seed,
    ensureUser,
    controls,
    oauth2(o) {
      return mount(
        createFakeOAuth2Server({
          ...o,
          partner: spec.partner,
          clientId,
          clientSecret,
          ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
          clock,
          users,
        }),
        oauth2Servers,
      );
    },
    oauth1(o) {
      return mount(
        createFakeOAuth1Server({
          ...o,
          partner: spec.partner,
          consumerKey: clientId,
          consumerSecret: clientSecret,
          clock,
          users,
        }),
        oauth1Servers,
      );
    },
    authenticate(req) {
      const server = oauth2Servers[0];
      if (!server) throw new Error(`the ${spec.partner} fake has no OAuth 2.0 server`);
      const auth = server.authenticate(req);
      if (auth.ok) ensureUser(auth.userId);
      return auth;
    },
    async listen(extra, more = {}) {
      const server = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
      return {
        ...extra,
        url: server.url,
        clientId,
        clientSecret,
        controls: { ...controls, ...more.controls },
        close: async () => {
          await more.beforeClose?.();
          await server.close();
        },
      };
    },
  };
}
