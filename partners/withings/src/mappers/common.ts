import type { Container, PolledItem, Rejected } from '@healthsync/partner-kit';
import type { z } from 'zod';

export interface Mapped<C extends Container> {
  items: PolledItem<C>[];
  rejected: Rejected[];
}

export const reject = <C extends Container>(
  externalId: string | undefined,
  reason: string,
  raw: unknown,
): Mapped<C> => ({
  items: [],
  rejected: [{ ...(externalId === undefined ? {} : { externalId }), reason, raw }],
});

export const reasonOf = (e: z.ZodError): string =>
  e.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');

/** Withings integers are `value x 10^unit`; dividing by a power of ten keeps 56300e-3 at exactly 56.3. */
export const decimal = (value: number, exponent: number): number =>
  exponent < 0 ? value / 10 ** -exponent : value * 10 ** exponent;

/** Unix seconds in an IANA zone -> ISO 8601 local time with its UTC offset; throws on an unknown zone. */
export function localTime(epochSeconds: number, timeZone: string): { iso: string; offsetMinutes: number } {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const name = fmt.formatToParts(epochSeconds * 1000).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const [, sign = '+', hh = '00', mm = '00'] = /GMT([+-])(\d\d):(\d\d)/.exec(name) ?? [];
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  const local = new Date((epochSeconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  return { iso: `${local}${sign}${hh}:${mm}`, offsetMinutes };
}
