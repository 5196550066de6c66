import { z } from 'zod';
import type { ContainerOf } from './containers.js';
import { type DayWindowOptions, dayWindow, localDay } from './days.js';
import type {
  KindResource,
  PartnerHttp,
  PartnerRequest,
  PartnerResponse,
  PollResult,
  ResourceContext,
  UserZone,
} from './define-partner.js';
import { PartnerError } from './errors.js';
import { type RawPath, rawAt } from './fields.js';
import { pathOfLink } from './links.js';
import type { SinceCursor, SinceCursorSpec } from './paging.js';
import { deleteIfPresent, type JsonReadOptions, joinPages, requestJson } from './read.js';
import { sincePoll } from './resource.js';
import type { Zone } from './units.js';
import { type ContainerKind, type Mapped, pollPage, sendable } from './validate.js';

/**
 * A JSON REST resource as data: the list to poll (path, query, where the items are, how it pages,
 * what moves the cursor) and the create / update / delete calls (path, how the body is encoded,
 * where the new id is). Built on `sincePoll` and `readSinceCursor`, so a partner's stored cursors
 * keep their keys.
 */

type Query = Readonly<Record<string, string | number | undefined>>;

/** A path: fixed, or found per connection (a discovery document's link). */
export type ConnectionPath = string | ((ctx: ResourceContext) => string | Promise<string>);

/** How a list pages: by page number (a full page means there is another), by an offset the answer
 * gives while `more` is truthy, or by a `next` link (absent or empty at the end). By page number,
 * `query` names the parameters that carry the page (`firstPage` on a pass's first page) and the
 * page size (`{page: 'page', size: 'per_page'}`), added to the list's query. */
export type Paging =
  | {
      readonly pageSize: number;
      readonly firstPage?: number;
      readonly query?: { readonly page: string; readonly size: string };
    }
  | { readonly offset: RawPath; readonly more: RawPath }
  | { readonly next: RawPath };

/** A since-cursor poll of a JSON list (see `listPoll`). */
export interface ListPollSpec<
  K extends ContainerKind,
  T extends string | number,
  P extends string | number,
  C,
> {
  readonly kind: K;
  readonly read?: JsonReadOptions;
  /** The cursor's keys and types (`readSinceCursor`). */
  readonly cursor: SinceCursorSpec<T, P>;
  /** Where a first pass starts, when it depends on the poll (`now`); else `cursor.initial`. */
  readonly initial?: (ctx: ResourceContext) => T;
  /** The list's path (a `next` link replaces it, without the query, on later pages). */
  readonly path: ConnectionPath;
  /** The list's query: computed from the cursor, or fixed parameters sent with the cursor's `since`
   * and `page` under the cursor's keys (`{action: 'list'}` with keys `since` / `offset`:
   * `?action=list&since=...&offset=...`). */
  readonly query?: Query | ((at: SinceCursor<T, P>, ctx: ResourceContext) => Query);
  /** By auth generation, a query parameter naming the partner's user (`ctx.externalUserId`) on the
   * list's calls made with it (`{legacy: 'userid'}`: an older API that wants the user named). */
  readonly userQuery?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Where the raw items are in the answer (`''`: the answer is the list). */
  readonly items: RawPath;
  /** Each listed item is read in full at this path (`{id}`: the item's `id`). */
  readonly detail?: string;
  /** One raw item -> the raw views to map (a group holding several measures). */
  readonly split?: (raw: unknown) => unknown[];
  /** What the mapper gets beside each item, from the answer (the page's time zone). */
  readonly context?: (answer: unknown) => C;
  readonly map: (raw: unknown, context: C) => Mapped | null;
  /** What moves the cursor: a raw field of each item, or computed from the raw items and the mapped page. */
  readonly mark:
    | RawPath
    | ((
        raws: readonly unknown[],
        page: PollResult<ContainerOf<K>>,
        at: SinceCursor<T, P>,
        ctx: ResourceContext,
      ) => readonly (T | undefined)[]);
  readonly paging: Paging;
}

const Answer = z.unknown();

function nextPage(paging: Paging, answer: unknown, page: unknown, listed: number): unknown {
  if ('pageSize' in paging)
    return listed === paging.pageSize ? (Number(page ?? paging.firstPage ?? 1) || 1) + 1 : undefined;
  if ('next' in paging) return rawAt(answer, paging.next) || undefined;
  const offset = rawAt(answer, paging.offset);
  return rawAt(answer, paging.more) && typeof offset === 'number' && offset > Number(page ?? 0)
    ? offset
    : undefined;
}

/** A list's query (`ListPollSpec`'s `query`, `userQuery` and paging parameters); undefined when it has none. */
function listQuery<T extends string | number, P extends string | number>(
  spec: Pick<ListPollSpec<ContainerKind, T, P, unknown>, 'query' | 'userQuery' | 'cursor' | 'paging'>,
  at: SinceCursor<T, P>,
  ctx: ResourceContext,
): Query | undefined {
  const { query, userQuery, cursor, paging } = spec;
  let own =
    typeof query === 'function'
      ? query(at, ctx)
      : query && { ...query, [cursor.keys.since]: at.since, [cursor.keys.page]: at.page };
  if ('query' in paging && paging.query) {
    const { page, size } = paging.query;
    own = { ...own, [page]: at.page ?? paging.firstPage ?? 1, [size]: paging.pageSize };
  }
  const user = userQuery && Object.hasOwn(userQuery, ctx.generation) ? userQuery[ctx.generation] : undefined;
  return user === undefined ? own : { ...own, [user]: ctx.externalUserId };
}

/** A since-cursor poll of a JSON list, described as data (see `ListPollSpec`). */
export function listPoll<K extends ContainerKind, T extends string | number, P extends string | number, C>(
  spec: ListPollSpec<K, T, P, C>,
) {
  const listed = new WeakMap<object, number>();
  return sincePoll<K, { answer: unknown }, T, P>({
    kind: spec.kind,
    cursor: (ctx) => (spec.initial ? { ...spec.cursor, initial: spec.initial(ctx) } : spec.cursor),
    read: spec.read ?? {},
    schema: Answer.transform((answer) => ({ answer })),
    request: async (at, ctx) => {
      const headers = spec.headers ? { headers: spec.headers } : {};
      if (at.page !== undefined && 'next' in spec.paging)
        return { method: 'GET', path: String(at.page), ...headers };
      const path = typeof spec.path === 'string' ? spec.path : await spec.path(ctx);
      const query = listQuery(spec, at, ctx);
      return { method: 'GET', path, ...headers, ...(query && { query }) };
    },
    items: async (body, ctx) => {
      const list = listAt(body.answer, spec.items, spec.read, ctx.http);
      listed.set(body, list.length);
      const full: unknown[] = [];
      for (const raw of list) {
        const id = rawAt(raw, 'id');
        const path = spec.detail && id !== undefined && withId(spec.detail, encodeURIComponent(String(id)));
        full.push(path ? await requestJson(ctx.http, { method: 'GET', path }, Answer, spec.read) : raw);
      }
      return spec.split ? full.flatMap(spec.split) : full;
    },
    map: (raw, body) => spec.map(raw, spec.context?.(body.answer) as C),
    marks: (raws, page, at, ctx) =>
      (typeof spec.mark === 'string'
        ? raws.map((r) => rawAt(r, spec.mark as string) as T)
        : spec.mark(raws, page, at, ctx)
      ).filter((m): m is T => m !== undefined && !Number.isNaN(m)),
    nextPage: (body, at) =>
      nextPage(spec.paging, body.answer, at.page, listed.get(body) ?? 0) as P | undefined,
  });
}

/**
 * A resource that is one object (a profile holding the current reading): read it, and map it
 * when its raw field `changes` differs from the cursor (the value seen last).
 */
export interface ObjectPollSpec<K extends ContainerKind> {
  readonly kind: K;
  readonly path: string;
  readonly changes: RawPath;
  readonly map: (raw: unknown) => Mapped | null;
  readonly read?: JsonReadOptions;
}

export function objectPoll<K extends ContainerKind>(spec: ObjectPollSpec<K>) {
  return async (ctx: ResourceContext, cursor: string | undefined): Promise<PollResult<ContainerOf<K>>> => {
    const raw = await requestJson(ctx.http, { method: 'GET', path: spec.path }, Answer, spec.read);
    const value = rawAt(raw, spec.changes);
    if (value !== undefined && String(value) === cursor) return { items: [], rejected: [], more: false };
    return pollPage(spec.kind, [raw], spec.map, value === undefined ? {} : { nextCursor: String(value) });
  };
}

export interface DayWindowPollSpec<K extends ContainerKind> {
  readonly kind: K;
  readonly window: DayWindowOptions;
  /** The user's zone: what "today" is, and what the mappers get beside each item (default: the API's `zone`). */
  readonly zone?: UserZone;
  /** The reads of a window: `{day}` in the path reads each day, `{from}` / `{to}` the whole window;
   * `items` is where the raw items are (absent: none). */
  readonly reads: readonly {
    readonly path: string;
    readonly items: RawPath;
    readonly map: (raw: unknown, zone: Zone) => Mapped | null;
  }[];
  readonly read?: JsonReadOptions;
}

/** A `dayWindow` poll (partners that can only read by date), described as data. */
export function dayWindowPoll<K extends ContainerKind>(spec: DayWindowPollSpec<K>) {
  return async (ctx: ResourceContext, cursor: string | undefined): Promise<PollResult<ContainerOf<K>>> => {
    const zoneOf = spec.zone ?? ctx.http.zone;
    if (!zoneOf)
      throw new PartnerError(
        'invalid_data',
        `a ${spec.kind} days poll needs the user's zone: the API's zone or the resource's days.zone`,
      );
    const zone = await zoneOf(ctx);
    const w = dayWindow(cursor, localDay(ctx.now, zone), spec.window);
    const pages: PollResult<ContainerOf<K>>[] = [];
    for (const read of spec.reads) {
      const paths = read.path.includes('{day}')
        ? w.days.map((day) => read.path.replace('{day}', day))
        : [read.path.replace('{from}', w.from).replace('{to}', w.to)];
      const raws: unknown[] = [];
      for (const path of paths) {
        const answer = await requestJson(ctx.http, { method: 'GET', path }, Answer, spec.read);
        raws.push(...listAt(answer, read.items, spec.read, ctx.http, true));
      }
      pages.push(pollPage(spec.kind, raws, (raw) => read.map(raw, zone)));
    }
    return joinPages(pages, { nextCursor: w.to, more: w.more });
  };
}

/** The list at a path of an answer (`''`: the answer); anything else is a mismatch. */
function listAt(
  answer: unknown,
  path: RawPath,
  read: JsonReadOptions | undefined,
  http: PartnerHttp,
  absentIsEmpty = false,
) {
  const list = path === '' ? answer : rawAt(answer, path);
  if (Array.isArray(list)) return list as unknown[];
  if (list === undefined && absentIsEmpty) return [];
  throw new PartnerError(
    read?.mismatch ?? http.mismatch ?? 'invalid_data',
    `${partnerName(read, http)}: no list at "${path}"`,
  );
}

/** The partner named in an error: the read options' name, else the client's (`http.partner`). */
const partnerName = (read: JsonReadOptions | undefined, http: PartnerHttp) =>
  read?.partner ?? http.partner ?? 'the partner';

/**
 * What a connection reads once and then reuses (a discovery document naming the resource paths):
 * remembered per HTTP client, i.e. per connection; a failed read is not remembered.
 */
export function perConnection<T>(read: (ctx: ResourceContext) => Promise<T>) {
  const known = new WeakMap<PartnerHttp, T>();
  return async (ctx: ResourceContext): Promise<T> => {
    if (known.has(ctx.http)) return known.get(ctx.http) as T;
    const value = await read(ctx);
    known.set(ctx.http, value);
    return value;
  };
}

/** The external id of a mapped item (undefined for a rejection or a skipped item). */
export const mappedId = (mapped: Mapped | null): string | undefined =>
  mapped && 'candidate' in mapped ? mapped.externalId : undefined;

/** `{id}` in a path -> the id. */
const withId = (path: string, id: string) => path.replace('{id}', id);

/** What an encoder returns: the body's fields, or why the item cannot be sent. */
export type Encoded = Readonly<Record<string, unknown>> | { readonly reject: string };

export interface WriteSpec<I> {
  readonly method?: 'POST' | 'PUT';
  /** The path (`{id}`: the item's external id, checked), or computed from the body. */
  readonly path:
    | string
    | ((body: Readonly<Record<string, unknown>>, ctx: ResourceContext) => string | Promise<string>);
  /** Where the body goes: form fields, query parameters, or JSON. */
  readonly encode: 'form' | 'query' | 'json';
  readonly body: (item: I, ctx: ResourceContext) => Encoded;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The pushed item's external id: raw paths in the JSON answer (first present), `'location'`
   * (the path of the `Location` header), or computed. Default: the id given to an update.
   */
  readonly id?:
    | RawPath
    | readonly RawPath[]
    | ((
        answer: unknown,
        res: PartnerResponse,
        body: Readonly<Record<string, unknown>>,
      ) => string | undefined);
}

export interface DeleteSpec {
  /** The path (`{id}`: the external id), or computed from the id; the id is checked first (`idPattern`). */
  readonly path: string | ((externalId: string) => string);
  /** An item already gone: counts as deleted (default), or stays `not_found`. */
  readonly gone?: 'deleted' | 'not_found';
}

export interface JsonResourceSpec<
  K extends ContainerKind,
  T extends string | number = string,
  P extends string | number = string,
  C = undefined,
> {
  readonly kind: K;
  /** The poll written out (or built with `listPoll` / `dayWindowPoll`); else `list`, `days` or `object`. */
  readonly poll?: KindResource<ContainerOf<K>>['poll'];
  /** The poll as data: a `listPoll` of this resource's kind, read with its `read` options. */
  readonly list?: Omit<ListPollSpec<K, T, P, C>, 'kind' | 'read'>;
  /** The poll as data: a `dayWindowPoll` of this resource's kind, read with its `read` options. */
  readonly days?: Omit<DayWindowPollSpec<K>, 'kind' | 'read'>;
  /** The poll as data: an `objectPoll` of this resource's kind, read with its `read` options. */
  readonly object?: Omit<ObjectPollSpec<K>, 'kind' | 'read'>;
  readonly create?: WriteSpec<ContainerOf<K>>;
  readonly update?: WriteSpec<ContainerOf<K>>;
  readonly delete?: DeleteSpec;
  /** External ids that may go into a path (default: digits). */
  readonly idPattern?: RegExp;
  readonly read?: JsonReadOptions;
}

const isRejection = (body: Encoded): body is { readonly reject: string } =>
  Object.keys(body).length === 1 && typeof body.reject === 'string';

/**
 * An app item's body for a write: the item is re-checked as a container of its kind first
 * (`sendable`), so nothing malformed leaves whatever the resource's encoder checks; the encoder's
 * refusal, like a failed check, is `invalid_data`: `not sendable to <partner>: <reason>`.
 */
function encodeToSend<K extends ContainerKind>(
  kind: K,
  item: ContainerOf<K>,
  partner: string,
  encode: (item: ContainerOf<K>) => Encoded,
): Readonly<Record<string, unknown>> {
  const body = encode(sendable(kind, item, partner));
  if (isRejection(body)) throw new PartnerError('invalid_data', `not sendable to ${partner}: ${body.reject}`);
  return body;
}

/** A JSON REST resource from its description (`JsonResourceSpec`). */
export function jsonResource<
  K extends ContainerKind,
  T extends string | number = string,
  P extends string | number = string,
  C = undefined,
>(spec: JsonResourceSpec<K, T, P, C>): KindResource<ContainerOf<K>> {
  const pattern = spec.idPattern ?? /^\d+$/;
  const checked = (id: string, http: PartnerHttp) => {
    if (!pattern.test(id))
      throw new PartnerError('invalid_data', `not a ${partnerName(spec.read, http)} ${spec.kind} id: ${id}`);
    return id;
  };
  const pathOf = (path: string | ((id: string) => string), id: string, http: PartnerHttp) =>
    typeof path === 'function' ? path(checked(id, http)) : withId(path, checked(id, http));
  async function write(
    w: WriteSpec<ContainerOf<K>>,
    http: PartnerHttp,
    item: ContainerOf<K>,
    ctx: ResourceContext,
    givenId?: string,
  ) {
    const fields = encodeToSend(spec.kind, item, partnerName(spec.read, http), (i) => w.body(i, ctx));
    const req: PartnerRequest = {
      method: w.method ?? (givenId === undefined ? 'POST' : 'PUT'),
      path:
        typeof w.path !== 'string'
          ? await w.path(fields, ctx)
          : givenId === undefined
            ? w.path
            : pathOf(w.path, givenId, http),
      ...(w.headers && { headers: w.headers }),
      ...(w.encode === 'json'
        ? { json: fields }
        : {
            [w.encode]: Object.fromEntries(
              Object.entries(fields)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, typeof v === 'number' ? v : String(v)]),
            ),
          }),
    };
    const res = await http.request(req);
    const id =
      w.id === undefined
        ? givenId
        : typeof w.id === 'function'
          ? w.id(res.body, res, fields)
          : w.id === 'location'
            ? pathOfLink(res.headers.location ?? '') || undefined
            : (typeof w.id === 'string' ? [w.id] : w.id)
                .map((p) => rawAt(res.body, p))
                .find((v) => typeof v === 'string' || typeof v === 'number');
    // Not retried: the item may exist, and a second create would duplicate it.
    if (id === undefined || id === '')
      throw new PartnerError(
        'invalid_data',
        `${partnerName(spec.read, http)} ${req.method} ${req.path} answered ${res.status} without an id`,
      );
    return { externalId: String(id) };
  }
  const { create, update, delete: remove } = spec;
  const base = { kind: spec.kind, ...(spec.read && { read: spec.read }) };
  const poll =
    spec.poll ??
    (spec.list && listPoll({ ...spec.list, ...base })) ??
    (spec.days && dayWindowPoll({ ...spec.days, ...base })) ??
    (spec.object && objectPoll({ ...spec.object, ...base }));
  return {
    ...(poll && { poll }),
    ...(create && { create: (ctx, item) => write(create, ctx.http, item, ctx) }),
    ...(update && { update: (ctx, id, item) => write(update, ctx.http, item, ctx, id) }),
    ...(remove && {
      delete: async (ctx, id) => {
        const req = { path: pathOf(remove.path, id, ctx.http) };
        await (remove.gone === 'not_found'
          ? ctx.http.request({ ...req, method: 'DELETE' })
          : deleteIfPresent(ctx.http, req));
      },
    }),
  };
}

export interface SharedRecordSpec<K extends ContainerKind> {
  /** The records themselves: polled (its mapper names items `<record id>#<key>`), created, deleted. */
  readonly records: KindResource<ContainerOf<K>>;
  /** The record field of each item key (`{weight: 'weight', body_fat: 'fat_percent'}`). */
  readonly fields: Readonly<Record<string, string>>;
  readonly keyOf: (item: ContainerOf<K>) => string;
  /** The item's fields in a record (or why it cannot be sent). */
  readonly encode: (item: ContainerOf<K>) => Encoded;
  /** The record as stored now, only what may be written back. */
  readonly read: (ctx: ResourceContext, recordId: string) => Promise<Record<string, unknown>>;
  /** Replace the record. */
  readonly write: (
    ctx: ResourceContext,
    recordId: string,
    record: Record<string, unknown>,
  ) => Promise<unknown>;
}

/**
 * Several app items kept in one partner record, one field each (a weight set holding a weight and
 * a body fat): an item's id is `<record id>#<key>`. A create makes a record; an update rewrites the
 * record with the item's fields, keeping the others; a delete removes the item's field, or the
 * whole record when no other item is left in it.
 */
export function sharedRecords<K extends ContainerKind>(
  spec: SharedRecordSpec<K>,
): Required<KindResource<ContainerOf<K>>> {
  const { records } = spec;
  const split = (externalId: string) => {
    const at = externalId.lastIndexOf('#');
    const key = externalId.slice(at + 1);
    if (at <= 0 || !Object.hasOwn(spec.fields, key))
      throw new PartnerError('not_found', `not an id of an item in a record: ${externalId}`);
    return { recordId: externalId.slice(0, at), field: spec.fields[key] as string };
  };
  const idOf = (recordId: string, item: ContainerOf<K>) => `${recordId}#${spec.keyOf(item)}`;
  const need = <F>(f: F | undefined, what: string): F => {
    if (!f) throw new TypeError(`the records cannot be ${what}`);
    return f;
  };
  return {
    poll: async (ctx, cursor) => need(records.poll, 'polled')(ctx, cursor),
    create: async (ctx, item) => ({
      externalId: idOf((await need(records.create, 'created')(ctx, item)).externalId, item),
    }),
    update: async (ctx, externalId, item) => {
      const { recordId } = split(externalId);
      const fields = encodeToSend(item.kind as K, item, partnerName(undefined, ctx.http), spec.encode);
      await spec.write(ctx, recordId, { ...(await spec.read(ctx, recordId)), ...fields });
      return { externalId: idOf(recordId, item) };
    },
    delete: async (ctx, externalId) => {
      const { recordId, field } = split(externalId);
      const { [field]: _gone, ...rest } = await spec.read(ctx, recordId);
      if (Object.values(spec.fields).some((f) => f in rest)) await spec.write(ctx, recordId, rest);
      else await need(records.delete, 'deleted')(ctx, recordId);
    },
  };
}
