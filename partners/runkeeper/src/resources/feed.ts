import type {
  ContainerKind,
  ContainerOf,
  KindResource,
  Mapped,
  PartnerHttp,
  ResourceContext,
} from '@healthsync/partner-kit';
import {
  decodeCursor,
  encodeCursor,
  PartnerError,
  type PartnerResponse,
  pollPage,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import { RunKeeperFeed, RunKeeperUri, RunKeeperUser } from '../schemas.js';

/** https://runkeeper.com/developer/healthgraph/overview (media types) */
export const mediaType = (name: string) => `application/vnd.com.runkeeper.${name}+json`;

export function parseBody<T extends z.ZodType>(schema: T, res: PartnerResponse, what: string): z.output<T> {
  const parsed = schema.safeParse(res.body);
  if (parsed.success) return parsed.data;
  throw new PartnerError('transient', `RunKeeper ${what} unreadable: ${parsed.error.issues[0]?.message}`);
}

const discovered = new WeakMap<PartnerHttp, RunKeeperUser>();
/** https://runkeeper.com/developer/healthgraph/example-api-calls: `/user` names the resource paths; follow them. */
async function discover(http: PartnerHttp): Promise<RunKeeperUser> {
  const known = discovered.get(http);
  if (known) return known;
  discovered.set(http, parseBody(RunKeeperUser, await get({ http }, '/user', 'User'), '/user'));
  return discover(http);
}

/** GET with the vendor media type on Accept. */
export const get = (
  ctx: { http: PartnerHttp },
  path: string,
  type: string,
  query?: Record<string, string | number | undefined>,
) => ctx.http.request({ method: 'GET', path, ...(query && { query }), headers: { accept: mediaType(type) } });
export const put = (ctx: ResourceContext, uri: string, type: string, json: object) =>
  ctx.http.request({ method: 'PUT', path: uri, json, headers: { 'content-type': mediaType(type) } });

/** A pass reads every page (`next`) changed since the day before the previous pass began. */
const optional = z.string().optional();
const Cursor = z.object({ since: optional, passStart: optional, next: optional });

export interface FeedSpec<K extends ContainerKind> {
  readonly kind: K;
  readonly path: 'fitness_activities' | 'weight' | 'nutrition';
  readonly names: { readonly feed: string; readonly item: string; readonly create: string };
  /** One feed item -> the raw views to map (a weight set holds two measurements). */
  readonly split?: (raw: unknown) => unknown[];
  readonly toApp: (raw: unknown) => Mapped;
  readonly fromApp: (item: ContainerOf<K>) => object;
}

/** A kind with its own feed: poll (`pageSize`, `next`, `modifiedNoEarlierThan`), POST, PUT and DELETE. */
export function feedResource<K extends ContainerKind>(
  spec: FeedSpec<K>,
): Required<KindResource<ContainerOf<K>>> {
  return {
    async poll(ctx, cursor) {
      const state = decodeCursor(cursor, Cursor) ?? {};
      const passStart =
        state.passStart ?? new Date(ctx.now.getTime() - 86_400_000).toISOString().slice(0, 10);
      const query = state.next ? {} : { pageSize: 25, modifiedNoEarlierThan: state.since };
      const path = state.next ?? (await discover(ctx.http))[spec.path];
      const page = parseBody(RunKeeperFeed, await get(ctx, path, spec.names.feed, query), spec.names.feed);
      const nextCursor = encodeCursor(
        page.next ? { ...state, passStart, next: page.next } : { since: passStart },
      );
      const raws = spec.split ? page.items.flatMap(spec.split) : page.items;
      return pollPage(spec.kind, raws, spec.toApp, { more: Boolean(page.next), nextCursor });
    },
    /** 201 Created with `Location: /<path>/<id>`: that path is the item's id. */
    async create(ctx, item) {
      const headers = { 'content-type': mediaType(spec.names.create) };
      const path = (await discover(ctx.http))[spec.path];
      const res = await ctx.http.request({ method: 'POST', path, json: spec.fromApp(item), headers });
      const location = RunKeeperUri.safeParse(res.headers.location);
      if (res.status === 201 && location.success) return { externalId: location.data };
      throw new PartnerError('transient', `RunKeeper answered ${res.status} without a Location`);
    },
    async update(ctx, uri, item) {
      await put(ctx, uri, spec.names.item, spec.fromApp(item));
      return { externalId: uri };
    },
    async delete(ctx, uri) {
      await ctx.http.request({ method: 'DELETE', path: uri });
    },
  };
}
