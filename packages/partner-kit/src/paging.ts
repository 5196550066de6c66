import { z } from 'zod';
import { decodeCursor, encodeCursor } from './cursor.js';

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

export function readSinceCursor<T extends string | number, P extends string | number>(
  cursor: string | undefined,
  spec: SinceCursorSpec<T, P>,
): SinceCursor<T, P> {
  const { keys } = spec;
  const schema = z.object({
    [keys.since]: spec.since.optional(),
    [keys.page]: spec.page.optional(),
    [keys.mark]: spec.since.optional(),
  });
  const decoded = decodeCursor(cursor, schema);
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
