import type { Container, PolledItem, Rejected } from '@healthsync/partner-kit';
import type { z } from 'zod';

/** A mapper's answer: an item ready to store, or a rejection with the reason. */
export type Mapped<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

export const reason = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ');

/** Parse with a schema and turn failures into a reason. */
export function check<S extends z.ZodType>(schema: S, raw: unknown): Mapped<z.output<S>> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: reason(r.error) };
}

/** Split mapped results into stored items and rejections. */
export function collect<C extends Container>(
  results: readonly { raw: unknown; mapped: Mapped<PolledItem<C>> }[],
) {
  const items: PolledItem<C>[] = [];
  const rejected: Rejected[] = [];
  for (const { raw, mapped } of results)
    mapped.ok ? items.push(mapped.value) : rejected.push({ reason: mapped.reason, raw });
  return { items, rejected };
}

/** `2024-03-01` + `08:15[:00]` at a UTC offset -> `2024-03-01T08:15:00+01:00`. */
export function localIso(date: string, time: string, offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${date}T${time.length === 5 ? `${time}:00` : time}${sign}${hhmm}`;
}

/** The wall clock of an instant at a UTC offset: `{date: 'yyyy-MM-dd', time: 'HH:mm:ss'}`. */
export function wallClock(iso: string, offsetMinutes: number): { date: string; time: string } {
  const local = new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString();
  return { date: local.slice(0, 10), time: local.slice(11, 19) };
}

/** The UTC offset written in an ISO 8601 timestamp (`Z`, `+01:00`, `-0800`). */
export function offsetOf(iso: string): number {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
