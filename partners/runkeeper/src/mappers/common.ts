import {
  type Container,
  type ContainerOf,
  containerSchemas,
  PartnerError,
  type PolledItem,
  type Rejected,
} from '@healthsync/partner-kit';
import type { z } from 'zod';

/** What a mapper makes of one partner item: valid containers, or rejections with a reason. */
export interface Mapped<C extends Container> {
  readonly items: PolledItem<C>[];
  readonly rejected: Rejected[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');
const describe = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ');

export const reject = <C extends Container>(
  reason: string,
  raw: unknown,
  externalId?: string,
): Mapped<C> => ({
  items: [],
  rejected: [{ reason, raw, ...(externalId !== undefined && { externalId }) }],
});

/** Checks a candidate against the app's strict container; the issues become the rejection reason. */
export function check<K extends Container['kind']>(
  kind: K,
  externalId: string,
  candidate: object,
  raw: unknown,
): Mapped<ContainerOf<K>> {
  const parsed = containerSchemas[kind].safeParse(candidate);
  if (!parsed.success) return reject(describe(parsed.error), raw, externalId);
  return { items: [{ externalId, data: parsed.data as ContainerOf<K> }], rejected: [] };
}

/** An app item about to leave: re-checked, so nothing malformed reaches the partner. */
export function valid<K extends Container['kind']>(kind: K, item: ContainerOf<K>): ContainerOf<K> {
  const parsed = containerSchemas[kind].safeParse(item);
  if (!parsed.success)
    throw new PartnerError('invalid_data', `${kind} not sendable: ${describe(parsed.error)}`);
  return parsed.data as ContainerOf<K>;
}

/** RunKeeper local time `Sun, 19 Oct 2014 13:17:27` (no zone) at an offset -> ISO 8601 with that offset. */
export function fromRunKeeperTime(
  text: string | null | undefined,
  offsetMinutes: number,
): string | undefined {
  const m = /^(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(
    text?.trim() ?? '',
  );
  if (!m) return undefined;
  const n = (i: number) => Number(m[i]);
  const month = MONTHS.indexOf(m[2] ?? '');
  const local = new Date(Date.UTC(n(3), month, n(1), n(4), n(5), n(6)));
  if (month < 0 || local.getUTCDate() !== n(1) || n(4) > 23 || n(5) > 59 || n(6) > 59) return undefined;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local.toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An instant and the user's offset -> RunKeeper local time (`Sat, 1 Jan 2011 07:30:00`). */
export function toRunKeeperTime(iso: string, offsetMinutes: number): string {
  const d = new Date(Date.parse(iso) + offsetMinutes * 60_000);
  const time = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map(pad).join(':');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time}`;
}
