import { type Container, PartnerError, type PollResult, type ResourceContext } from '@healthsync/partner-kit';
import { z } from 'zod';
import { type Mapped, reasonOf } from '../mappers/common.js';
import { WithingsEnvelope, WithingsModified } from '../schemas.js';

/** `lastupdate` = the highest `modified` stored; while paging, also the next `offset` and the running max. */
const Cursor = z.object({
  lastupdate: z.number().int(),
  offset: z.number().int().optional(),
  max: z.number().int().optional(),
});
type Page = { more?: boolean | number | undefined; offset?: number | undefined };

export interface PollSpec<B extends Page, C extends Container> {
  path: string;
  query: Record<string, string | number>;
  body: z.ZodType<B>;
  list: (body: B) => unknown[];
  map: (raw: unknown, body: B) => Mapped<C>;
}

/** One page of a `lastupdate` poll (https://developer.withings.com/developer-guide/v3/tutorials/how-to-compute-lastupdate).
 * The first poll asks for everything (`lastupdate=0`); legacy OAuth 1.0a calls also carry `userid`. */
export async function pollSince<B extends Page, C extends Container>(
  ctx: ResourceContext,
  cursor: string | undefined,
  spec: PollSpec<B, C>,
): Promise<PollResult<C>> {
  const at = cursor === undefined ? { lastupdate: 0 } : Cursor.parse(JSON.parse(cursor));
  const legacy = ctx.generation === 'oauth1' ? { userid: ctx.externalUserId } : {};
  const query = { ...spec.query, lastupdate: at.lastupdate, offset: at.offset, ...legacy };
  const res = await ctx.http.request({ method: 'GET', path: spec.path, query });
  const parsed = spec.body.safeParse(WithingsEnvelope.parse(res.body).body);
  if (!parsed.success)
    throw new PartnerError('invalid_data', `Withings ${spec.query.action}: ${reasonOf(parsed.error)}`, {
      partner: 'withings',
    });
  const raws = spec.list(parsed.data);
  const mapped = raws.map((raw) => spec.map(raw, parsed.data));
  const max = Math.max(
    at.max ?? at.lastupdate,
    ...raws.map((r) => WithingsModified.safeParse(r).data?.modified ?? 0),
  );
  const { more, offset } = parsed.data;
  const next = more && offset !== undefined && offset > (at.offset ?? 0) ? offset : undefined;
  return {
    items: mapped.flatMap((m) => m.items),
    rejected: mapped.flatMap((m) => m.rejected),
    more: next !== undefined,
    nextCursor: JSON.stringify(
      next === undefined ? { lastupdate: max } : { lastupdate: at.lastupdate, offset: next, max },
    ),
  };
}
