import {
  decodeCursor,
  encodeCursor,
  PartnerError,
  type PollPageOptions,
  type ResourceContext,
} from '@healthsync/partner-kit';
import { z } from 'zod';
import { describe, WithingsEnvelope, WithingsModified } from '../schemas.js';

/** `lastupdate` = the highest `modified` stored; while paging, also the next `offset` and the running max. */
const int = z.number().int();
const Cursor = z.object({ lastupdate: int, offset: int.optional(), max: int.optional() });
type Page = { more?: boolean | number | undefined; offset?: number | undefined };
type Query = Record<string, string | number>;

/** One page of a `lastupdate` read, paged by `offset` while `more` (0/1 or boolean).
 * https://developer.withings.com/developer-guide/v3/tutorials/how-to-compute-lastupdate
 * The first poll (or an unreadable cursor) reads everything; legacy OAuth 1.0a calls carry `userid`. */
export async function getSince<B extends Page>(
  ctx: ResourceContext,
  cursor: string | undefined,
  req: { path: string; query: Query; body: z.ZodType<B>; list: (body: B) => unknown[] },
): Promise<{ body: B; page: PollPageOptions }> {
  const at = decodeCursor(cursor, Cursor) ?? { lastupdate: 0 };
  const legacy = ctx.generation === 'oauth1' ? { userid: ctx.externalUserId } : {};
  const query = { ...req.query, lastupdate: at.lastupdate, offset: at.offset, ...legacy };
  const res = await ctx.http.request({ method: 'GET', path: req.path, query });
  const parsed = req.body.safeParse(WithingsEnvelope.parse(res.body).body);
  const what = `Withings ${req.query.action}`;
  if (!parsed.success)
    throw new PartnerError('invalid_data', `${what}: ${describe(parsed.error)}`, { partner: 'withings' });
  const modified = req.list(parsed.data).map((r) => WithingsModified.safeParse(r).data?.modified ?? 0);
  const max = Math.max(at.max ?? at.lastupdate, ...modified);
  const { more, offset } = parsed.data;
  const next = more && offset !== undefined && offset > (at.offset ?? 0) ? offset : undefined;
  const nextCursor = encodeCursor(
    next ? { lastupdate: at.lastupdate, offset: next, max } : { lastupdate: max },
  );
  return { body: parsed.data, page: { nextCursor, more: next !== undefined } };
}
