import { codeTable } from './raw.js';

/** A non-empty list of partner codes. */
export type Codes = readonly [string | number, ...(string | number)[]];

/**
 * A `codeTable` written the other way round, by app value: each value with every partner code that
 * means it, the first one being the code sent for it (`{running: ['Run', 'TrailRun'], cycling:
 * ['Ride', 'GravelRide']}`). Unknown or absent codes read as `fallback.app`; a value without codes
 * is sent as `fallback.partner`. A code listed under two values is a mistake in the table and throws.
 */
export function codesByValue<V extends string, F extends string>(
  groups: Readonly<Record<V, Codes>>,
  fallback: { readonly app: F; readonly partner: string },
) {
  const codes: Record<string, V | F> = {};
  const send: Partial<Record<V | F, string>> = {};
  for (const [value, list] of Object.entries(groups) as [V, Codes][]) {
    send[value] = String(list[0]);
    for (const code of list) {
      if (Object.hasOwn(codes, String(code)))
        throw new TypeError(`code ${code} is listed under ${codes[String(code)]} and ${value}`);
      codes[String(code)] = value;
    }
  }
  return codeTable<V | F>(codes, { ...fallback, send });
}
