import { z } from 'zod';
import type { Container } from './containers.js';
import { addDays } from './days.js';
import type { PollResult, ResourceContext } from './define-partner.js';
import type { SinceCursor, SinceCursorSpec } from './paging.js';
import { localParts } from './units.js';

/**
 * Ready-made cursors and marks for `listPoll` (see `SinceCursorSpec`): the common case of a list
 * filtered by a day (`afterDate`, `modifiedNoEarlierThan`) and paged by a link or token.
 */

/**
 * A since-cursor whose bound and page are both text (a day or stamp, and a `next` link or token),
 * under the partner's keys; `{page: 'url'}`: the page is an absolute URL (a cursor whose page is not
 * one is unreadable, as a cursor of the wrong types is: it is never followed).
 */
export const textCursor = (
  keys: SinceCursorSpec<string, string>['keys'],
  options: { readonly page?: 'text' | 'url' } = {},
): SinceCursorSpec<string, string> => ({
  keys,
  since: z.string(),
  page: options.page === 'url' ? z.url() : z.string(),
});

/** The item's own date (`startedAt`, `measuredAt` or `consumedAt`) as written, with its offset. */
const dateOf = (data: Container): string =>
  data.kind === 'exercise' ? data.startedAt : data.kind === 'measurement' ? data.measuredAt : data.consumedAt;

/**
 * A mark for lists filtered by a day and sorted by date: each item's local day, `reread` days
 * earlier, so the next pass starts `reread` days before the latest day seen (items logged late
 * for those days are read again).
 */
export const itemDays =
  (reread: number) =>
  (_raws: readonly unknown[], page: PollResult): string[] =>
    page.items.map((i) => addDays(localParts(dateOf(i.data)).date, -reread));

/**
 * A mark for lists filtered by "modified since a day" whose items carry no modification time:
 * the day `days` before the pass began (set on the pass's first page), so the next pass reads
 * everything changed since then.
 */
export const passStartDay =
  (days: number) =>
  (_raws: readonly unknown[], _page: PollResult, at: SinceCursor<string, string>, { now }: ResourceContext) =>
    at.page === undefined ? [addDays(now.toISOString().slice(0, 10), -days)] : [];
