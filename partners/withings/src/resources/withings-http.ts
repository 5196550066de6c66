import {
  type PollPageOptions,
  type ResourceContext,
  readSinceCursor,
  requestJson,
} from '@healthsync/partner-kit';
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

/** One page of a `lastupdate` read, paged by `offset` while `more` (0/1 or boolean).
 * https://developer.withings.com/developer-guide/v3/tutorials/how-to-compute-lastupdate
 * The first poll (or an unreadable cursor) reads everything; legacy OAuth 1.0a calls carry `userid`.
 * (`classify` has already refused any envelope whose `status` is not 0.) */
export async function getSince<B extends Page>(
  ctx: ResourceContext,
  cursor: string | undefined,
  req: {
    path: string;
    query: Record<string, string | number>;
    body: z.ZodType<B>;
    list: (body: B) => unknown[];
  },
): Promise<{ body: B; page: PollPageOptions }> {
  const at = readSinceCursor(cursor, SINCE);
  const legacy = ctx.generation === 'oauth1' ? { userid: ctx.externalUserId } : {};
  const query = { ...req.query, lastupdate: at.since, offset: at.page, ...legacy };
  const envelope = z.looseObject({ body: req.body });
  const { body } = await requestJson(ctx.http, { method: 'GET', path: req.path, query }, envelope, {
    partner: 'Withings',
  });
  const modified = req.list(body).map((r) => WithingsModified.safeParse(r).data?.modified ?? 0);
  const next =
    body.more && body.offset !== undefined && body.offset > (at.page ?? 0) ? body.offset : undefined;
  return { body, page: at.next(modified, next) };
}
