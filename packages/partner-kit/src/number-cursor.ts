import { z } from 'zod';
import type { SinceCursorSpec } from './paging.js';

/**
 * A since-cursor (`SinceCursorSpec`) whose bound and page are integers: epoch seconds or a
 * modification stamp (Withings `lastupdate`, Strava `after`) and an offset or page number, under
 * the partner's own keys. `firstPage` is the lowest page there is (0 for offsets, 1 for page
 * numbers: a stored page below it makes the cursor unreadable); `initial` is where a first pass starts.
 */
export function numberCursor(
  keys: SinceCursorSpec<number, number>['keys'],
  options: { readonly firstPage?: number; readonly initial?: number } = {},
): SinceCursorSpec<number, number> {
  return {
    keys,
    since: z.number().int(),
    page: z
      .number()
      .int()
      .min(options.firstPage ?? 0),
    ...(options.initial !== undefined && { initial: options.initial }),
  };
}
