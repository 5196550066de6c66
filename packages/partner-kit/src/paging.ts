import { z } from 'zod';
import { decodeCursor, encodeCursor } from './cursor.js';
import { addDays } from './days.js';

/**
 * The common "high-water mark + paging" cursor: a poll reads everything changed since `since`
 * (Withings `lastupdate`, RunKeeper `modifiedNoEarlierThan`, Strava `after`, Fitbit `afterDate`),
 * page after page (an offset, a page number or a `next` link). While a pass pages, `since` stays
 * put and the highest mark seen so far travels in the cursor; when the last page is stored, the
 * mark becomes the next pass's `since`. So an interrupted pass resumes where it stopped and a
 * finished one never skips what changed while it ran.
 *
 * The cursor's JSON keys are the partner's own (`keys`), so existing stored cursors stay readable.
 * When `mark` and `since` are the same key, the mark moves with every page (Fitbit follows a
 * `next` link that does not need `since` any more).
 */
export interface SinceCursorSpec<T extends string | number, P extends string | number> {
  readonly keys: { readonly since: string; readonly page: string; readonly mark: string };
  readonly since: z.ZodType<T>;
  readonly page: z.ZodType<P>;
  /** Where the first pass starts (undefined: from the beginning). */
  readonly initial?: T;
}

export interface SinceCursor<T extends string | number, P extends string | number> {
  /** The pass's lower bound (undefined on a first pass without `initial`). */
  readonly since: T | undefined;
  /** The page being read (undefined on a pass's first page). */
  readonly page: P | undefined;
  /** The highest mark seen in this pass so far. */
  readonly mark: T | undefined;
  /** After a page: the marks it held, and the next page if there is one -> the cursor to store. */
  next(marks: readonly T[], nextPage: P | undefined): { nextCursor: string; more: boolean };
}

const higher = <T extends string | number>(a: T | undefined, b: T): T => (a === undefined || b > a ? b : a);

/** Cursor schemas by (keys, since, page): zod compiles each schema on first use, so build it once. */
const sinceCursorSchemas = new WeakMap<object, WeakMap<z.ZodType, WeakMap<z.ZodType, z.ZodType>>>();
function sinceCursorSchema(
  keys: { since: string; page: string; mark: string },
  since: z.ZodType,
  page: z.ZodType,
): z.ZodType {
  let bySince = sinceCursorSchemas.get(keys);
  if (!bySince) {
    bySince = new WeakMap();
    sinceCursorSchemas.set(keys, bySince);
  }
  let byPage = bySince.get(since);
  if (!byPage) {
    byPage = new WeakMap();
    bySince.set(since, byPage);
  }
  let schema = byPage.get(page);
  if (!schema) {
    schema = z.object({
      [keys.since]: since.optional(),
      [keys.page]: page.optional(),
      [keys.mark]: since.optional(),
    });
    byPage.set(page, schema);
  }
  return schema;
}

export function readSinceCursor<T extends string | number, P extends string | number>(
  cursor: string | undefined,
  spec: SinceCursorSpec<T, P>,
): SinceCursor<T, P> {
  const { keys } = spec;
  const decoded = decodeCursor(cursor, sinceCursorSchema(keys, spec.since, spec.page));
  const state = decoded as Record<string, T | P | undefined> | undefined;
  const since = (state?.[keys.since] ?? spec.initial) as T | undefined;
  const page = state?.[keys.page] as P | undefined;
  const mark = (state?.[keys.mark] ?? since) as T | undefined;
  return {
    since,
    page,
    mark,
    next(marks, nextPage) {
      const top = marks.reduce<T | undefined>(higher, mark);
      const value =
        nextPage === undefined
          ? { [keys.since]: top }
          : { [keys.since]: since, [keys.page]: nextPage, [keys.mark]: top };
      return { nextCursor: encodeCursor(value), more: nextPage !== undefined };
    },
  };
}

const earlier = (a: string, b: string): string => [a, b].sort()[0] ?? a;
const BackfillDay = z.string().regex(/^\d{4}-?\d{2}-?\d{2}$/);
const BackfillState = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('backfill'), from: BackfillDay, today: BackfillDay, started: z.string() }),
  z.object({ phase: z.literal('incremental'), since: z.string() }),
]);

export interface BackfillSpec {
  /** At most this many days per backfill page. */
  readonly span: number;
  /** The change marker of this moment (what the partner's "updated since" parameter takes). */
  readonly stamp: string;
  /** On a first poll (no cursor): the first day with data and the user's today, same day format. */
  readonly begin: () => Promise<{ readonly from: string; readonly today: string }>;
}

/**
 * The "backfill, then changes since" cursor, for partners that read by date range and can also
 * list what changed since a moment (Moves' `from`/`to` and `updatedSince`): a new connection reads
 * its history in ranges of `span` days from its first day to the day the backfill began, then
 * every poll asks for what changed since the previous one (the first, since the backfill began).
 * Days are ISO 8601 `yyyy-MM-dd` or `yyyyMMdd`. `range` is set while backfilling, `since` after.
 */
export async function backfillThenSince(
  cursor: string | undefined,
  spec: BackfillSpec,
): Promise<{
  range?: { from: string; to: string };
  since?: string;
  next: { nextCursor: string; more: boolean };
}> {
  const state = decodeCursor(cursor, BackfillState);
  if (state?.phase === 'incremental')
    return {
      since: state.since,
      next: { nextCursor: encodeCursor({ phase: 'incremental', since: spec.stamp }), more: false },
    };
  const { from, today } = state ?? (await spec.begin());
  const started = state?.started ?? spec.stamp;
  const first = earlier(from, today);
  const to = earlier(addDays(first, spec.span - 1), today);
  const more = to !== today;
  const next = more
    ? { phase: 'backfill', from: addDays(to, 1), today, started }
    : { phase: 'incremental', since: started };
  return { range: { from: first, to }, next: { nextCursor: encodeCursor(next), more } };
}
