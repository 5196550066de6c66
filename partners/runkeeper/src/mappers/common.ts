import {
  type ContainerKind,
  type ContainerOf,
  localParts,
  localToIso,
  sendable,
} from '@healthsync/partner-kit';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** An app item about to leave: re-checked, so nothing malformed reaches the partner. */
export const valid = <K extends ContainerKind>(kind: K, item: ContainerOf<K>) =>
  sendable(kind, item, 'RunKeeper');

/** RunKeeper local time `Sun, 19 Oct 2014 13:17:27` (no zone) at an offset -> ISO 8601 with that offset. */
export function fromRunKeeperTime(
  text: string | null | undefined,
  offsetMinutes: number,
): string | undefined {
  const m = /^(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}:\d{2}:\d{2})$/.exec(
    text?.trim() ?? '',
  );
  const month = MONTHS.indexOf(m?.[2] ?? '');
  if (!m || month < 0) return undefined;
  try {
    return localToIso(`${m[3]}-${pad(month + 1)}-${pad(Number(m[1]))}T${m[4]}`, offsetMinutes).iso;
  } catch {
    return undefined;
  }
}

/** An ISO time with offset -> RunKeeper local time at that offset (`Sat, 1 Jan 2011 07:30:00`). */
export function toRunKeeperTime(iso: string): string {
  const { date, time } = localParts(iso);
  const d = new Date(`${date}T00:00:00Z`);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time}`;
}
