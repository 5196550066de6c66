import { isoWithOffset } from '@healthsync/partner-kit';
import { addDays } from './fitbit-http.js';

/**
 * Weight, fat and food are read by date (no incremental query, no tombstones). The cursor is the
 * last day read; each poll re-reads `reread` days before it to catch late edits, starts `first`
 * days back on the first poll, and reads at most `span` days per page.
 */
export function dayWindow(
  cursor: string | undefined,
  now: Date,
  offsetMinutes: number,
  o: { reread: number; first: number; span: number },
) {
  const today = isoWithOffset(now, offsetMinutes).iso.slice(0, 10);
  const start =
    cursor && /^\d{4}-\d{2}-\d{2}$/.test(cursor) ? addDays(cursor, -o.reread) : addDays(today, -o.first);
  const from = [start, today].sort()[0] ?? today;
  const to = [addDays(from, o.span - 1), today].sort()[0] ?? today;
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return { from, to, days, more: to < today };
}
