import {
  type ContainerKind,
  type ContainerOf,
  decodeCursor,
  encodeCursor,
  type KindResource,
  type Mapped,
  PartnerError,
  type PartnerHttp,
  type PartnerResponse,
  type PollResult,
  pollPage,
  type ResourceContext,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import { RunKeeperFeed, RunKeeperUri, RunKeeperUser } from '../schemas.js';

/** https://runkeeper.com/developer/healthgraph/overview (media types) */
export const mediaType = (name: string) => `application/vnd.com.runkeeper.${name}+json`;
export const PAGE_SIZE = 25;
type PathKey = 'fitness_activities' | 'weight' | 'nutrition';

export function parseBody<T extends z.ZodType>(schema: T, res: PartnerResponse, what: string): z.output<T> {
  const parsed = schema.safeParse(res.body);
  if (!parsed.success)
    throw new PartnerError('transient', `RunKeeper ${what} unreadable: ${parsed.error.message}`);
  return parsed.data;
}

const discovered = new WeakMap<PartnerHttp, RunKeeperUser>();
/** https://runkeeper.com/developer/healthgraph/example-api-calls: `/user` names the resource paths; follow them. */
export async function discover(http: PartnerHttp): Promise<RunKeeperUser> {
  const known = discovered.get(http);
  if (known) return known;
  const res = await http.request({ method: 'GET', path: '/user', headers: { accept: mediaType('User') } });
  const user = parseBody(RunKeeperUser, res, '/user');
  discovered.set(http, user);
  return user;
}

/** Where a poll stands: the day a pass started (next `modifiedNoEarlierThan`) and the page link inside a pass. */
const Cursor = z.object({
  since: z.string().optional(),
  passStart: z.string().optional(),
  next: z.string().optional(),
});
const day = (d: Date) => new Date(d.getTime() - 86_400_000).toISOString().slice(0, 10);

export interface FeedSpec<K extends ContainerKind> {
  readonly kind: K;
  readonly path: PathKey;
  readonly names: { readonly feed: string; readonly item: string; readonly create: string };
  /** One feed item -> the raw views to map (a weight set holds two measurements). */
  readonly split?: (raw: unknown) => unknown[];
  readonly toApp: (raw: unknown) => Mapped;
  readonly fromApp: (item: ContainerOf<K>) => object;
}

/** https://runkeeper.com/developer/healthgraph/overview (feeds): newest first, `pageSize`, `next` until the last page. */
async function poll<K extends ContainerKind>(
  ctx: ResourceContext,
  spec: FeedSpec<K>,
  cursor?: string,
): Promise<PollResult<ContainerOf<K>>> {
  const state = decodeCursor(cursor, Cursor) ?? {};
  const passStart = state.passStart ?? day(ctx.now);
  const headers = { accept: mediaType(spec.names.feed) };
  const res = state.next
    ? await ctx.http.request({ method: 'GET', path: state.next, headers })
    : await ctx.http.request({
        method: 'GET',
        path: (await discover(ctx.http))[spec.path],
        query: { pageSize: PAGE_SIZE, modifiedNoEarlierThan: state.since },
        headers,
      });
  const page = parseBody(RunKeeperFeed, res, spec.names.feed);
  const raws = spec.split ? page.items.flatMap(spec.split) : page.items;
  const nextCursor = encodeCursor(
    page.next ? { ...state, passStart, next: page.next } : { since: passStart },
  );
  return pollPage(spec.kind, raws, spec.toApp, { more: Boolean(page.next), nextCursor });
}

/** POST answers 201 with `Location: /<path>/<id>`; the item's id is that path. */
async function create(ctx: ResourceContext, path: PathKey, name: string, body: object): Promise<string> {
  const target = (await discover(ctx.http))[path];
  const res = await ctx.http.request({
    method: 'POST',
    path: target,
    json: body,
    headers: { 'content-type': mediaType(name) },
  });
  const location = RunKeeperUri.safeParse(res.headers.location);
  if (res.status !== 201 || !location.success)
    throw new PartnerError('transient', `RunKeeper created no ${name}: HTTP ${res.status}, no Location`, {
      status: res.status,
    });
  return location.data;
}

export const put = (ctx: ResourceContext, uri: string, name: string, body: object) =>
  ctx.http.request({
    method: 'PUT',
    path: uri,
    json: body,
    headers: { 'content-type': mediaType(name), accept: mediaType(name) },
  });
const remove = async (ctx: ResourceContext, uri: string) =>
  void (await ctx.http.request({ method: 'DELETE', path: uri }));

/** A kind that maps one feed item to one app item: poll, create, update (PUT) and delete. */
export function feedResource<K extends ContainerKind>(
  spec: FeedSpec<K>,
): Required<KindResource<ContainerOf<K>>> {
  return {
    poll: (ctx, cursor) => poll(ctx, spec, cursor),
    create: async (ctx, item) => ({
      externalId: await create(ctx, spec.path, spec.names.create, spec.fromApp(item)),
    }),
    update: async (ctx, uri, item) => {
      await put(ctx, uri, spec.names.item, spec.fromApp(item));
      return { externalId: uri };
    },
    delete: remove,
  };
}
