import type { z } from 'zod';
import type { ContainerOf } from './containers.js';
import type { PartnerRequest, PollResult, ResourceContext } from './define-partner.js';
import { readSinceCursor, type SinceCursor, type SinceCursorSpec } from './paging.js';
import { type JsonReadOptions, requestJson } from './read.js';
import type { ContainerKind } from './validate.js';
import { type Mapped, pollPage } from './validate.js';

/**
 * A JSON poll over the "high-water mark + paging" cursor (`readSinceCursor`), as data: the request
 * for a page, the partner's tolerant schema for the answer, where the raw items are, how each is
 * mapped, and what moves the cursor. Each call reads one page, maps and validates its items one by
 * one, and returns the cursor to store.
 */
export interface SincePollSpec<
  K extends ContainerKind,
  B,
  T extends string | number,
  P extends string | number,
> {
  readonly kind: K;
  /** The cursor's keys and types (a function when its start depends on the poll's `now`). */
  readonly cursor: SinceCursorSpec<T, P> | ((ctx: ResourceContext) => SinceCursorSpec<T, P>);
  /** The request for the page the cursor is at (a pass's first page when `at.page` is undefined). */
  readonly request: (at: SinceCursor<T, P>, ctx: ResourceContext) => PartnerRequest | Promise<PartnerRequest>;
  readonly schema: z.ZodType<B>;
  readonly read?: JsonReadOptions;
  /** The raw items of a page (may read more, e.g. each item's details). */
  readonly items: (body: B, ctx: ResourceContext) => readonly unknown[] | Promise<readonly unknown[]>;
  /** One raw item -> a mapped item, a rejection or null (skipped). */
  readonly map: (raw: unknown, body: B) => Mapped | null;
  /** The marks a page holds (what the next pass reads from), from its raw items or what was kept. */
  readonly marks: (
    raws: readonly unknown[],
    page: PollResult<ContainerOf<K>>,
    at: SinceCursor<T, P>,
    ctx: ResourceContext,
  ) => readonly T[];
  /** The next page of this pass, or undefined when the pass is done. */
  readonly nextPage: (body: B, at: SinceCursor<T, P>, raws: readonly unknown[]) => P | undefined;
}

export function sincePoll<K extends ContainerKind, B, T extends string | number, P extends string | number>(
  spec: SincePollSpec<K, B, T, P>,
): (ctx: ResourceContext, cursor: string | undefined) => Promise<PollResult<ContainerOf<K>>> {
  return async (ctx, cursor) => {
    const at = readSinceCursor(cursor, typeof spec.cursor === 'function' ? spec.cursor(ctx) : spec.cursor);
    const body = await requestJson(ctx.http, await spec.request(at, ctx), spec.schema, spec.read);
    const raws = await spec.items(body, ctx);
    const page = pollPage(spec.kind, raws, (raw) => spec.map(raw, body));
    return { ...page, ...at.next(spec.marks(raws, page, at, ctx), spec.nextPage(body, at, raws)) };
  };
}
