import { PartnerError } from './errors.js';
import { isoWithOffset, type Zone } from './units.js';

/** Calendar days as `yyyy-MM-dd` strings (partners that read by date). */

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A day `days` after (or before, when negative) another, in the same ISO 8601 form: extended
 * `yyyy-MM-dd` or basic `yyyyMMdd`.
 */
export function addDays(day: string, days: number): string {
  const basic = /^\d{8}$/.test(day);
  const extended = basic ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}` : day;
  const out = new Date(Date.parse(`${extended}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  return basic ? out.replace(/-/g, '') : out;
}

/** The calendar day (`yyyy-MM-dd`) of a moment in a zone (an IANA name or an offset in minutes). */
export const localDay = (now: Date, zone: Zone): string => isoWithOffset(now, zone).iso.slice(0, 10);

export interface DayWindowOptions {
  /** Days before the cursor's day re-read on every poll, to catch late edits. */
  readonly reread: number;
  /** Days back the first poll (no cursor) starts. */
  readonly first: number;
  /** At most this many days per page. */
  readonly span: number;
}

/**
 * The "date-window re-read" cursor for partners that can only read by date (no incremental
 * query, no tombstones): the cursor is the last day read (`yyyy-MM-dd`); each poll starts
 * `reread` days before it (or `first` days before `today` on a first poll), reads at most
 * `span` days, never past `today`, and says `more` while today is not reached. Store `to` as
 * the next cursor.
 */
export function dayWindow(cursor: string | undefined, today: string, o: DayWindowOptions) {
  if (!DAY.test(today)) throw new TypeError(`today must be yyyy-MM-dd, got ${today}`);
  const start = cursor && DAY.test(cursor) ? addDays(cursor, -o.reread) : addDays(today, -o.first);
  const from = start < today ? start : today;
  const last = addDays(from, o.span - 1);
  const to = last < today ? last : today;
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return { from, to, days, more: to < today };
}

/** An id the partner gave us, checked to be digits before it goes into a path. */
export function numericId(id: string | undefined, what: string): string {
  if (!id || !/^\d+$/.test(id)) throw new PartnerError('invalid_data', `not a ${what}`);
  return id;
}
