import {
  type Container,
  type KindResource,
  PartnerError,
  type PartnerHttp,
  type PartnerResponse,
  type PollResult,
  type ResourceContext,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import type { Mapped } from '../mappers/common.js';
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

export interface FeedSpec<C extends Container> {
  readonly path: PathKey;
  readonly names: { readonly feed: string; readonly item: string; readonly create: string };
  readonly toApp: (raw: unknown) => Mapped<C>;
  readonly fromApp: (item: C) => object;
}

/** https://runkeeper.com/developer/healthgraph/overview (feeds): newest first, `pageSize`, `next` until the last page. */
async function poll<C extends Container>(
  ctx: ResourceContext,
  spec: FeedSpec<C>,
  cursor?: string,
): Promise<PollResult<C>> {
  const state = Cursor.parse(cursor ? JSON.parse(cursor) : {});
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
  const mapped = page.items.map(spec.toApp);
  const [items, rejected] = [mapped.flatMap((m) => m.items), mapped.flatMap((m) => m.rejected)];
  if (page.next)
    return {
      items,
      rejected,
      more: true,
      nextCursor: JSON.stringify({ ...state, passStart, next: page.next }),
    };
  return { items, rejected, more: false, nextCursor: JSON.stringify({ since: passStart }) };
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
export function feedResource<C extends Container>(spec: FeedSpec<C>): Required<KindResource<C>> {
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
