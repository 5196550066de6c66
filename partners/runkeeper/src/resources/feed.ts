import {
  type ContainerKind,
  type ContainerOf,
  getJson,
  type KindResource,
  type Mapped,
  PartnerError,
  type PartnerHttp,
  pollPage,
  type ResourceContext,
  readSinceCursor,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import { RunKeeperFeed, RunKeeperUri, RunKeeperUser } from '../schemas.js';

/** https://runkeeper.com/developer/healthgraph/overview (media types) */
export const mediaType = (name: string) => `application/vnd.com.runkeeper.${name}+json`;

/** GET with the vendor media type on Accept, parsed with a tolerant schema (unreadable: transient). */
export const getTyped = <S extends z.ZodType>(
  http: PartnerHttp,
  path: string,
  type: string,
  schema: S,
  query?: Record<string, string | number | undefined>,
) =>
  getJson(http, path, schema, {
    partner: 'RunKeeper',
    mismatch: 'transient',
    headers: { accept: mediaType(type) },
    ...(query && { query }),
  });
export const put = (ctx: ResourceContext, uri: string, type: string, json: object) =>
  ctx.http.request({ method: 'PUT', path: uri, json, headers: { 'content-type': mediaType(type) } });

const discovered = new WeakMap<PartnerHttp, RunKeeperUser>();
/** https://runkeeper.com/developer/healthgraph/example-api-calls: `/user` names the resource paths; follow them. */
async function discover(http: PartnerHttp): Promise<RunKeeperUser> {
  const known = discovered.get(http) ?? (await getTyped(http, '/user', 'User', RunKeeperUser));
  discovered.set(http, known);
  return known;
}

/** A pass reads every page (`next`) changed since the day before the previous pass began. */
const SINCE = {
  keys: { since: 'since', page: 'next', mark: 'passStart' },
  since: z.string(),
  page: z.string(),
};

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
      const c = readSinceCursor(cursor, SINCE);
      const query = c.page ? undefined : { pageSize: 25, modifiedNoEarlierThan: c.since };
      const path = c.page ?? (await discover(ctx.http))[spec.path];
      const page = await getTyped(ctx.http, path, spec.names.feed, RunKeeperFeed, query);
      const passStart = c.page ? [] : [new Date(ctx.now.getTime() - 86_400_000).toISOString().slice(0, 10)];
      const raws = spec.split ? page.items.flatMap(spec.split) : page.items;
      return pollPage(spec.kind, raws, spec.toApp, c.next(passStart, page.next ?? undefined));
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
