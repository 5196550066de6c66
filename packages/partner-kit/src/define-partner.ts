import type { DataKind } from '@healthsync/contracts';
import type { Container, MeasurementType } from './containers.js';
import type { PartnerErrorCode } from './errors.js';
import type { RoundTripTolerance } from './round-trip.js';
import { tokenUserId } from './token-user.js';
import type { Zone } from './units.js';

/**
 * A partner declaration: plain data plus small pure hooks. The auth service and the scheduler
 * read declarations; only the sync worker loads a partner's API code (`definePartnerApi`).
 * Every URL here is the real partner's default; `resolvePartnerConfig` overrides each from
 * `PARTNER_<ID>_*` environment variables so a fake or sandbox can stand in.
 */
export interface OAuth2Generation {
  readonly kind: 'oauth2';
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl?: string;
  readonly scopes: readonly string[];
  readonly scopeSeparator: ' ' | ',';
  readonly pkce: boolean;
  /** How the client authenticates at the token endpoint. */
  readonly clientAuth: 'basic' | 'body';
  /** none: tokens never expire; rotating: each refresh returns a new refresh token. */
  readonly refresh: 'none' | 'rotating' | 'reusable';
  /** Extra parameters on the authorization URL (Strava `approval_prompt`, Fitbit `prompt`). */
  readonly authorizeParams?: Readonly<Record<string, string>>;
  /** The revocation form's token parameter when it is not RFC 7009's `token` (RunKeeper: `access_token`). */
  readonly revokeTokenParam?: string;
  /** Extra parameters every token request carries (Withings: `action=requesttoken`). */
  readonly tokenParams?: Readonly<Record<string, string>>;
  /**
   * For non-standard token endpoints: turn the raw JSON body into a standard RFC 6749 token
   * response (or throw a PartnerError). Withings wraps the token in `{status, body}`.
   */
  readonly adaptTokenResponse?: (raw: unknown) => unknown;
  /**
   * For non-standard token-endpoint error bodies (HTTP 4xx with JSON): return the RFC 6749
   * `{error, error_description?}` they mean, or null to let the kit's generic reading apply.
   * Strava answers a spent refresh token with `{errors: [{resource: 'RefreshToken', code: 'invalid'}]}`,
   * which means `invalid_grant`.
   */
  readonly adaptErrorResponse?: (
    raw: unknown,
    status: number,
  ) => { readonly error: string; readonly error_description?: string } | null;
  /** The partner's id for the user, from the token response (Fitbit `user_id`, Withings `userid`). */
  readonly externalUserId?: (tokenResponse: Readonly<Record<string, unknown>>) => string | undefined;
  /**
   * When the token response names no user (RunKeeper): where to ask for the id with the new
   * access token. `oauth2FetchExternalUserId` reads `field` (dotted for nesting) of the JSON at
   * `path` (relative to the API URL), sending `accept` when given.
   */
  readonly identity?: IdentitySpec;
}

/** What `oauth2()` fills in when a declaration leaves it out: the plain RFC 6749 choices. */
export const OAUTH2_DEFAULTS = {
  kind: 'oauth2',
  scopes: [],
  scopeSeparator: ' ',
  pkce: false,
  clientAuth: 'body',
} as const satisfies Partial<OAuth2Generation>;

type OAuth2Defaulted = keyof typeof OAUTH2_DEFAULTS;

/** The partner's id for the user, read from a token response. */
type TokenUserId = (tokenResponse: Readonly<Record<string, unknown>>) => string | undefined;

/** What a declaration gives `oauth2()`: where it differs from the defaults; `externalUserId` may
 * also be the dot path of an integer id in the token response (`'athlete.id'`, see `tokenUserId`). */
export type OAuth2Spec = Omit<OAuth2Generation, OAuth2Defaulted | 'externalUserId'> &
  Partial<Omit<OAuth2Generation, 'externalUserId'>> & { readonly externalUserId?: TokenUserId | string };

/**
 * An OAuth 2.0 generation with the plain defaults filled in (no scopes, space-separated, no
 * PKCE, client credentials in the body): a declaration names only where its partner differs.
 * The result is a complete `OAuth2Generation`, so readers of declarations see every field.
 */
export function oauth2<const T extends OAuth2Spec>(
  spec: T,
): Omit<typeof OAUTH2_DEFAULTS, keyof T> &
  Omit<T, 'externalUserId'> &
  (T extends { readonly externalUserId: string }
    ? { readonly externalUserId: TokenUserId }
    : Pick<T, never>) &
  (T extends { readonly externalUserId: TokenUserId } ? Pick<T, 'externalUserId'> : Pick<T, never>) & {
    readonly kind: 'oauth2';
  } {
  const { externalUserId } = spec;
  const read = typeof externalUserId === 'string' ? { externalUserId: tokenUserId(externalUserId) } : {};
  return { ...OAUTH2_DEFAULTS, ...spec, ...read, kind: 'oauth2' } as never;
}

export interface IdentitySpec {
  readonly path: string;
  readonly field: string;
  readonly accept?: string;
}

export interface OAuth1Generation {
  readonly kind: 'oauth1';
  readonly requestTokenUrl: string;
  readonly authorizeUrl: string;
  readonly accessTokenUrl: string;
  readonly signatureMethod: 'HMAC-SHA1';
  /** Where the OAuth parameters travel on API calls. */
  readonly signaturePlacement: 'header' | 'query';
  /** The partner's id for the user, from the access-token response (Withings legacy `userid`). */
  readonly externalUserId?: (accessTokenResponse: Readonly<Record<string, string>>) => string | undefined;
}

export type AuthGeneration = OAuth2Generation | OAuth1Generation;

export interface KindCapability {
  readonly poll: boolean;
  readonly push: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/** Whether a partner keeps an app item: a measurement of a type it does not list is not its business. */
export function partnerKeeps(
  declaration: Pick<PartnerDeclaration, 'measurementTypes'>,
  item: Container,
): boolean {
  return (
    item.kind !== 'measurement' ||
    !declaration.measurementTypes ||
    declaration.measurementTypes.includes(item.type)
  );
}

/** A kind's capability from the operations it supports: `can('poll')`, `can('poll', 'push', 'delete')`. */
export function can(...ops: readonly (keyof KindCapability)[]): KindCapability {
  return {
    poll: ops.includes('poll'),
    push: ops.includes('push'),
    update: ops.includes('update'),
    delete: ops.includes('delete'),
  };
}

export interface RateLimit {
  /** `app`: shared by all users of our client id; `user`: per connected user. */
  readonly scope: 'app' | 'user';
  readonly limit: number;
  readonly windowSeconds: number;
  /** `fixed`: windows aligned to the clock (Fitbit's top of the hour, Strava's quarter hours). */
  readonly alignment?: 'fixed' | 'rolling';
}

export interface WebhookRequest {
  readonly method: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes, exactly as received (signatures are over these). */
  readonly rawBody: Buffer;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body?: string | Record<string, unknown>;
  readonly contentType?: string;
}

export interface WebhookNotification {
  readonly externalUserId: string;
  readonly kinds: readonly DataKind[];
  /** The partner says the user revoked access (Fitbit `userRevokedAccess`). */
  readonly revoked?: boolean;
}

export interface WebhookContext {
  readonly clientSecret: string;
  readonly verifyToken?: string;
  /** The app's webhook subscription id at the partner (Strava), from PARTNER_<ID>_WEBHOOK_SUBSCRIPTION_ID. */
  readonly subscriptionId?: string;
}

export interface WebhookSpec {
  /** Verification handshakes (Fitbit `?verify=`, Strava `hub.challenge`, Withings HEAD). Null: not a handshake. */
  readonly handshake?: (req: WebhookRequest, ctx: WebhookContext) => WebhookResponse | null;
  /** True when the request is authentic (signature, or the partner's own convention). */
  readonly verify: (req: WebhookRequest, ctx: WebhookContext) => boolean;
  /** The notifications in a verified request. Throws on a malformed body. */
  readonly parse: (req: WebhookRequest) => readonly WebhookNotification[];
  /** What to answer when accepted / when rejected, as the partner expects. */
  readonly accepted: WebhookResponse;
  readonly rejected: WebhookResponse;
}

export interface PartnerDeclaration {
  readonly id: string;
  readonly displayName: string;
  /** The real API base URL (overridable by PARTNER_<ID>_API_URL). */
  readonly apiUrl: string;
  /** Auth generations by name; `current` is used for new connections. */
  readonly auth: {
    readonly current: string;
    readonly generations: Readonly<Record<string, AuthGeneration>>;
  };
  readonly capabilities: Readonly<Partial<Record<DataKind, KindCapability>>>;
  /**
   * The measurement types a partner that takes measurements keeps (absent: all of them). The
   * worker pushes no other type (a change to one is not the partner's business), the auth API lists
   * them, and the conformance suite checks that a create refuses every other type before any call.
   */
  readonly measurementTypes?: readonly MeasurementType[];
  readonly rateLimits: readonly RateLimit[];
  readonly webhook?: WebhookSpec;
  readonly docs: string;
  /** The envelope every answer comes in, the token endpoint's included (`statusEnvelope(...)`). */
  readonly envelope?: ResponseEnvelope;
}

/**
 * An envelope every answer of a partner comes in (Withings: HTTP 200 `{status, body, error}`),
 * described once (`statusEnvelope`): `tokens` reads its OAuth 2.0 token responses (unless a
 * generation adapts its own) and `classify` its API's answers (unless the API classifies them).
 */
export interface ResponseEnvelope {
  readonly tokens: (raw: unknown) => unknown;
  readonly classify: NonNullable<PartnerApi['classify']>;
}

/** What `definePartner` takes: a declaration whose `auth` may be its one generation, or its
 * generations of different kinds, the current one first. */
export type PartnerDeclarationSpec = Omit<PartnerDeclaration, 'auth'> & {
  readonly auth: PartnerDeclaration['auth'] | AuthGeneration | readonly [AuthGeneration, ...AuthGeneration[]];
};

/** A generation of a declaration with an `envelope`: an OAuth 2.0 one reads its token responses with it. */
type Enveloped<T extends PartnerDeclarationSpec, G> = T extends { readonly envelope: ResponseEnvelope }
  ? G extends { readonly kind: 'oauth2' }
    ? G & { readonly adaptTokenResponse: (raw: unknown) => unknown }
    : G
  : G;

/** The declaration `definePartner` gives for a `PartnerDeclarationSpec`: `auth` written out. */
export type DefinedPartner<T extends PartnerDeclarationSpec> = T['auth'] extends AuthGeneration
  ? Omit<T, 'auth'> & {
      readonly auth: {
        readonly current: T['auth']['kind'];
        readonly generations: { readonly [K in T['auth']['kind']]: Enveloped<T, T['auth']> };
      };
    }
  : T['auth'] extends readonly [infer C extends AuthGeneration, ...AuthGeneration[]]
    ? Omit<T, 'auth'> & {
        readonly auth: {
          readonly current: C['kind'];
          readonly generations: { readonly [G in T['auth'][number] as G['kind']]: Enveloped<T, G> };
        };
      }
    : T;

/**
 * A partner declaration. A partner with one auth generation (no older API still served) may give
 * just that generation as `auth` (`auth: oauth2({...})`): it is named by its kind (`oauth2`,
 * `oauth1`) and current. Connections store their generation's name, so a partner that later adds
 * a generation keeps that name for this one. Generations of different kinds may be listed
 * (`auth: [oauth2({...}), oauth1({...})]`): each is named by its kind, the first is current.
 */
export function definePartner<const T extends PartnerDeclarationSpec>(declaration: T): DefinedPartner<T> {
  const { auth, envelope } = declaration;
  // The envelope reads the token responses of OAuth 2.0 generations that do not adapt their own.
  const enveloped = (g: AuthGeneration): AuthGeneration =>
    envelope && g.kind === 'oauth2' && !g.adaptTokenResponse
      ? { ...g, adaptTokenResponse: envelope.tokens }
      : g;
  const list = Array.isArray(auth)
    ? (auth as readonly AuthGeneration[]).map(enveloped)
    : 'kind' in auth
      ? [enveloped(auth as AuthGeneration)]
      : undefined;
  if (!list) {
    if (!envelope) return declaration as never;
    const named = auth as PartnerDeclaration['auth'];
    const generations = Object.fromEntries(
      Object.entries(named.generations).map(([name, g]) => [name, enveloped(g)]),
    );
    return { ...declaration, auth: { current: named.current, generations } } as never;
  }
  const generations = Object.fromEntries(list.map((g) => [g.kind, g]));
  if (Object.keys(generations).length < list.length)
    throw new TypeError(
      `${declaration.id}: auth generations of one kind need names ({current, generations})`,
    );
  return { ...declaration, auth: { current: list[0]?.kind, generations } } as never;
}

/* ------------------------------------------------------------------ partner API (sync worker only) */

/**
 * What the sync worker gets from the auth service's credentials API for one connection, and
 * hands to the partner HTTP client. Never logged.
 */
export type Credentials =
  | {
      readonly kind: 'oauth2';
      readonly generation: string;
      readonly accessToken: string;
      readonly expiresAt?: Date;
    }
  | {
      readonly kind: 'oauth1';
      readonly generation: string;
      readonly token: string;
      readonly tokenSecret: string;
    };

/** What the partner HTTP client returns; partner code parses `body` with its own tolerant schema. */
export interface PartnerResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly text: string;
}

export interface PartnerRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** A path relative to the API URL, or an absolute URL the partner gave us (a `next` link). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly form?: Readonly<Record<string, string | number | undefined>>;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Safe to retry on a transient failure (GET, PUT, DELETE by default; POST only if said). */
  readonly idempotent?: boolean;
}

/** A signed HTTP client bound to one connection; takes the shared rate budget before each call. */
export interface PartnerHttp {
  request(req: PartnerRequest): Promise<PartnerResponse>;
  /** The partner's display name, which names it in the errors of the kit's reads (`Fitbit GET ...`). */
  readonly partner?: string;
  /** The code of a read's answer that does not match its schema when the read does not say (the API's `mismatch`). */
  readonly mismatch?: PartnerErrorCode;
  /** The user's zone when the partner's times carry none (the API's `zone`). */
  readonly zone?: UserZone;
}

/** The user's zone, read at every call (a profile's offset, `profileZone`): an offset in minutes or an IANA name. */
export type UserZone = (ctx: ResourceContext) => Zone | Promise<Zone>;

export interface PolledItem<C extends Container = Container> {
  /** The partner's id for the item (dedup key). */
  readonly externalId: string;
  /** The partner's version marker (modified time, etag); the kit hashes the content beside it. */
  readonly externalVersion?: string;
  readonly data: C;
}

export interface Rejected {
  readonly externalId?: string;
  readonly reason: string;
  readonly raw?: unknown;
}

/** One page of a poll: raw items already mapped and validated, plus rejections with reasons. */
export interface PollResult<C extends Container = Container> {
  readonly items: readonly PolledItem<C>[];
  readonly rejected: readonly Rejected[];
  /** Opaque cursor to store once this page is stored; undefined keeps the old one. */
  readonly nextCursor?: string;
  /** More pages remain: call again with `nextCursor`. */
  readonly more: boolean;
  /**
   * When the partner cannot report deletions, the poll may return the full set of external ids
   * in a window so the kit can treat absent ones as deleted. Optional.
   */
  readonly deletedExternalIds?: readonly string[];
}

export interface ResourceContext {
  readonly http: PartnerHttp;
  readonly externalUserId: string;
  readonly generation: string;
  readonly now: Date;
}

export interface PushResult {
  readonly externalId: string;
  readonly externalVersion?: string;
}

export interface KindResource<C extends Container = Container> {
  poll?(ctx: ResourceContext, cursor: string | undefined): Promise<PollResult<C>>;
  create?(ctx: ResourceContext, item: C): Promise<PushResult>;
  update?(ctx: ResourceContext, externalId: string, item: C): Promise<PushResult>;
  delete?(ctx: ResourceContext, externalId: string): Promise<void>;
}

export interface PartnerApi {
  readonly declaration: PartnerDeclaration;
  readonly resources: {
    readonly measurement?: KindResource<Extract<Container, { kind: 'measurement' }>>;
    readonly exercise?: KindResource<Extract<Container, { kind: 'exercise' }>>;
    readonly food?: KindResource<Extract<Container, { kind: 'food' }>>;
  };
  /**
   * Classify a response that the kit did not already classify (the kit handles 401/403/404/409/
   * 429/5xx and network errors). Withings answers HTTP 200 with an error `status` in the body.
   * Return null for success.
   */
  readonly classify?: (
    res: PartnerResponse,
  ) => { code: PartnerErrorCode; message: string; retryAt?: Date } | null;
  /** Rate-limit headers -> remaining budget and reset, so the shared budget follows the partner. */
  readonly rateLimitHeaders?: (res: PartnerResponse) => { remaining: number; resetAt: Date } | null;
  /** The code of every read's answer that does not match its schema (default `invalid_data`; a partner
   * whose unreadable answers are passing glitches says `transient`), unless the read says otherwise. */
  readonly mismatch?: PartnerErrorCode;
  /** The user's zone, for a partner whose times carry none (Fitbit: the profile's offset): what a
   * `days` poll takes as today and gives its mappers, unless the resource names its own. */
  readonly zone?: UserZone;
  /**
   * How far the partner's copy of what we send may differ from it (its rounding, its own estimates:
   * `roundTripDifferences` defaults otherwise). The conformance round trip checks it; the worker
   * uses it to find the partner's copy of a create whose answer was lost (`sameItem`).
   */
  readonly roundTrip?: RoundTripTolerance;
}

/**
 * A partner's error answers described once with the HTTP statuses that carry them
 * (`errorList({..., statuses: [400, 422]})`): `definePartnerApi`'s `errors`.
 */
export interface ErrorDescription {
  readonly statuses: readonly number[];
  classify(statuses: readonly number[]): NonNullable<PartnerApi['classify']>;
}

/** What `definePartnerApi` takes: a `PartnerApi`, whose `classify` may be given as `errors` instead. */
export type PartnerApiSpec = PartnerApi &
  ({ readonly errors?: undefined } | { readonly errors: ErrorDescription; readonly classify?: undefined });

/**
 * A partner's API module. `errors` (an `ErrorDescription`) becomes its `classify` for the statuses
 * the description declares; a partner whose errors are not plain HTTP statuses gives `classify`
 * itself, or declares the envelope its answers come in (the declaration's `envelope`), whose
 * `classify` is the default.
 */
export function definePartnerApi<const T extends PartnerApiSpec>(
  api: T,
): T extends
  | { readonly errors: ErrorDescription }
  | { readonly declaration: { readonly envelope: ResponseEnvelope } }
  ? T & Required<Pick<PartnerApi, 'classify'>>
  : T {
  const { errors } = api;
  const classify = errors
    ? errors.classify(errors.statuses)
    : (api.classify ?? api.declaration.envelope?.classify);
  return (classify ? { ...api, classify } : api) as never;
}
