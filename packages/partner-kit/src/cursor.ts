import type { z } from 'zod';
import type { Container } from './containers.js';
import type { KindResource, PolledItem, Rejected, ResourceContext } from './define-partner.js';
import { PartnerError } from './errors.js';

/**
 * Cursors and paging. A cursor is an opaque string the sync worker stores once a page is
 * stored; partners usually keep a small object in it (`{lastupdate, offset}`), encoded here.
 */

/** An object -> an opaque cursor string (base64url JSON). */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * A cursor string -> the partner's cursor object, parsed with its schema. Undefined or an
 * unreadable cursor (an older format) gives undefined: the partner starts from its default.
 */
export function decodeCursor<S extends z.ZodType>(
  cursor: string | undefined,
  schema: S,
): z.infer<S> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface PollAllOptions {
  /** Stop after this many pages (default 50); the returned cursor continues next time. */
  maxPages?: number;
  /** Called after each page (the sync worker stores the page and its cursor here). */
  onPage?: (page: {
    items: readonly PolledItem[];
    rejected: readonly Rejected[];
    cursor: string | undefined;
  }) => Promise<void> | void;
}

export interface PollAllResult<C extends Container = Container> {
  readonly items: PolledItem<C>[];
  readonly rejected: Rejected[];
  /** The cursor to store: the last page's `nextCursor`, or the one we started from. */
  readonly cursor: string | undefined;
  readonly pages: number;
  /** True when the page cap stopped us while the partner had more. */
  readonly truncated: boolean;
}

/**
 * Poll a resource page after page until it says there is no more, or the page cap is reached.
 * A partner that says `more` without moving its cursor is an error, not an endless loop.
 */
export async function pollAll<C extends Container>(
  resource: KindResource<C>,
  ctx: ResourceContext,
  cursor: string | undefined,
  options: PollAllOptions = {},
): Promise<PollAllResult<C>> {
  if (!resource.poll) throw new TypeError('this resource cannot be polled');
  const maxPages = options.maxPages ?? 50;
  const items: PolledItem<C>[] = [];
  const rejected: Rejected[] = [];
  let current = cursor;
  let pages = 0;
  for (;;) {
    const page = await resource.poll(ctx, current);
    pages++;
    items.push(...page.items);
    rejected.push(...page.rejected);
    const next = page.nextCursor ?? current;
    await options.onPage?.({ items: page.items, rejected: page.rejected, cursor: next });
    if (!page.more) return { items, rejected, cursor: next, pages, truncated: false };
    if (next === current)
      throw new PartnerError('invalid_data', 'the poll says there is more but its cursor did not move');
    current = next;
    if (pages >= maxPages) return { items, rejected, cursor: current, pages, truncated: true };
  }
}
