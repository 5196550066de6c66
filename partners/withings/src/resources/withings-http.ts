import { type ContainerKind, type Mapped, sincePoll } from '@healthsync/partner-kit';
import { z } from 'zod';
import { WithingsModified } from '../schemas.js';

/** `lastupdate` = the highest `modified` stored; while paging, also the next `offset` and the running max. */
const int = z.number().int();
const SINCE = {
  keys: { since: 'lastupdate', page: 'offset', mark: 'max' },
  since: int,
  page: int,
  initial: 0,
};
type Page = { more?: boolean | number | undefined; offset?: number | undefined };

/**
 * A `lastupdate` read, paged by `offset` while `more` (0/1 or boolean):
 * https://developer.withings.com/developer-guide/v3/tutorials/how-to-compute-lastupdate
 * The first poll (or an unreadable cursor) reads everything; legacy OAuth 1.0a calls carry `userid`.
 * (`classify` has already refused any envelope whose `status` is not 0.)
 */
export const pollSince = <K extends ContainerKind, B extends Page>(
  kind: K,
  path: string,
  query: Record<string, string | number>,
  body: z.ZodType<B>,
  items: (body: B) => unknown[],
  map: (raw: unknown, body: B) => Mapped | null,
) =>
  sincePoll({
    kind,
    cursor: SINCE,
    read: { partner: 'Withings' },
    request: (at, ctx) => {
      const legacy = ctx.generation === 'oauth1' ? { userid: ctx.externalUserId } : {};
      return { method: 'GET', path, query: { ...query, lastupdate: at.since, offset: at.page, ...legacy } };
    },
    schema: z.looseObject({ body }),
    items: (e) => items(e.body),
    map: (raw, e) => map(raw, e.body),
    marks: (raws) => raws.map((r) => WithingsModified.safeParse(r).data?.modified ?? 0),
    nextPage: ({ body: b }, at) =>
      b.more && b.offset !== undefined && b.offset > (at.page ?? 0) ? b.offset : undefined,
  });
