import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { AuthContext } from '../context.js';
import type { TokenVerifier } from './caller.js';

/**
 * One route = one file = one spec: the spec drives mounting (auth, rate limit), request
 * validation and the OpenAPI document, so the document cannot drift from what is served.
 */
export type Method = 'get' | 'head' | 'post' | 'patch' | 'delete';

export interface ResponseSpec {
  readonly description: string;
  /** Body schemas by media type (none: no body). */
  readonly content?: Readonly<Record<string, z.ZodType>>;
  readonly headers?: Readonly<Record<string, { description: string; schema: z.ZodType }>>;
}

export interface RouteSpec {
  readonly operationId: string;
  readonly method: Method;
  /** Express path (`/v1/users/:userId/connections`). */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** `user`: a user or service JWT; `service`: a service JWT; `none`: public. */
  readonly auth: 'user' | 'service' | 'none';
  /** Counted by the public API's request-rate limit. */
  readonly rateLimited: boolean;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: { readonly required: boolean; readonly content: Readonly<Record<string, z.ZodType>> };
  readonly responses: Readonly<Record<string, ResponseSpec>>;
}

export interface RouteDeps {
  readonly ctx: AuthContext;
  readonly verifyToken: TokenVerifier;
  /** The OpenAPI document (for the route that serves it). */
  readonly openApi: () => unknown;
}

export interface RouteModule {
  readonly spec: RouteSpec;
  readonly handler: (deps: RouteDeps) => RequestHandler;
}

export function defineRoute(spec: RouteSpec, handler: (deps: RouteDeps) => RequestHandler): RouteModule {
  return { spec, handler };
}

/* ------------------------------------------------------------------ shared schemas */

export const Problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .meta({ description: 'RFC 9457 problem details with a stable machine-readable `code`.' });

const problemContent = { 'application/problem+json': Problem } as const;

const PROBLEM_TEXT: Record<number, string> = {
  400: 'Invalid request (`invalid_request` and route-specific codes).',
  401: 'No valid bearer token (`unauthorized`).',
  403: 'The caller may not act on this user (`forbidden`).',
  404: 'Not found.',
  409: 'Conflict with the connection state.',
  413: 'Body larger than the limit (`payload_too_large`).',
  415: 'Unsupported body media type.',
  429: 'Too many requests (`rate_limited`, `partner_rate_limited`).',
  500: 'Unexpected failure (`internal`), with a correlation id.',
  502: 'The partner answered unexpectedly (`partner_error`).',
  503: 'The partner or a dependency is unavailable; retry later.',
};

/** Problem+json responses for the given statuses. */
export function problemResponses(...statuses: number[]): Record<string, ResponseSpec> {
  const out: Record<string, ResponseSpec> = {};
  for (const s of statuses)
    out[String(s)] = { description: PROBLEM_TEXT[s] ?? 'Problem', content: problemContent };
  return out;
}

export const PartnerParam = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'partner ids are lower-case slugs')
  .meta({ description: 'Installed partner id (`withings`, `fitbit`, ...).' });
/** Printable text only: control characters (NUL among them) never reach the database. */
export const UserIdParam = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}]+$/u, 'user ids contain no control characters')
  .meta({ description: 'The app user id (`sub` of user tokens).' });
