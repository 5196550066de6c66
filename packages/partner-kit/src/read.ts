import type { z } from 'zod';
import type { Container } from './containers.js';
import type { PartnerHttp, PartnerRequest, PartnerResponse, PollResult } from './define-partner.js';
import { PartnerError, type PartnerErrorCode } from './errors.js';

/** A zod error in one line, for rejection reasons and error messages: `field: message; ...`. */
export const zodReason = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');

export interface JsonReadOptions {
  /** Names the partner in the error message (`Fitbit GET /1/user/-/profile.json: ...`); default:
   * the display name the kit's client carries (`http.partner`). */
  readonly partner?: string;
  /** The code for an answer that does not match the schema (default: the API's `mismatch` the kit's
   * client carries, else `invalid_data`; a partner whose unreadable answers are passing glitches may
   * say `transient`). */
  readonly mismatch?: PartnerErrorCode;
}

/**
 * One partner call whose JSON answer is parsed with the partner's tolerant schema. The kit's
 * client has already classified HTTP failures; an answer that does not match the schema is
 * `invalid_data` (the partner sent something we cannot read; retrying will not change it).
 */
export async function requestJson<S extends z.ZodType>(
  http: PartnerHttp,
  req: PartnerRequest,
  schema: S,
  options: JsonReadOptions = {},
): Promise<z.output<S>> {
  const res = await http.request(req);
  const parsed = schema.safeParse(res.body);
  if (parsed.success) return parsed.data;
  const partner = options.partner ?? http.partner;
  throw new PartnerError(
    options.mismatch ?? http.mismatch ?? 'invalid_data',
    `${partner ? `${partner} ` : ''}${req.method} ${req.path}: ${zodReason(parsed.error)}`,
    { status: res.status, ...(partner ? { partner } : {}) },
  );
}

/** `requestJson` for a GET of `path` with an optional query and headers. */
export function getJson<S extends z.ZodType>(
  http: PartnerHttp,
  path: string,
  schema: S,
  options: JsonReadOptions & Pick<PartnerRequest, 'query' | 'headers'> = {},
): Promise<z.output<S>> {
  const { query, headers, ...rest } = options;
  return requestJson(
    http,
    { method: 'GET', path, ...(query ? { query } : {}), ...(headers ? { headers } : {}) },
    schema,
    rest,
  );
}

/** A DELETE where an item that is already gone (`not_found`) counts as deleted. */
export async function deleteIfPresent(http: PartnerHttp, req: Omit<PartnerRequest, 'method'>): Promise<void> {
  try {
    await http.request({ ...req, method: 'DELETE' });
  } catch (e) {
    if (!(e instanceof PartnerError && e.code === 'not_found')) throw e;
  }
}

/** Only the fields that have a value (the containers are strict about optional fields). */
export const definedFields = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Several mapped pages of one poll (one call per sub-resource) as one page. */
export function joinPages<C extends Container>(
  pages: readonly PollResult<C>[],
  options: { nextCursor?: string; more?: boolean } = {},
): PollResult<C> {
  return {
    items: pages.flatMap((p) => p.items),
    rejected: pages.flatMap((p) => p.rejected),
    more: options.more ?? false,
    ...(options.nextCursor !== undefined ? { nextCursor: options.nextCursor } : {}),
  };
}

/**
 * A `classify` for partners that answer a bad request with a list of errors in the body (Fitbit
 * `errors[{errorType, fieldName}]`, Strava `errors[{resource, field, code}]`): `invalid_data`,
 * not worth retrying, with each error described (`describe` keeps what is safe to log):
 * `HTTP 400: <error>, <error>`. The client's message names the partner and the call before it.
 */
export function errorListClassifier<E>(spec: {
  readonly statuses: readonly number[];
  /** The error body's tolerant schema; its `errors` are described one by one. */
  readonly body: z.ZodType<{ readonly errors?: readonly E[] | undefined }>;
  readonly describe: (error: E) => string;
}) {
  return (res: PartnerResponse): { code: 'invalid_data'; message: string } | null => {
    if (!spec.statuses.includes(res.status)) return null;
    const errors = spec.body.safeParse(res.body).data?.errors?.map(spec.describe) ?? [];
    return {
      code: 'invalid_data',
      message: `HTTP ${res.status}${errors.length > 0 ? `: ${errors.join(', ')}` : ''}`,
    };
  };
}
