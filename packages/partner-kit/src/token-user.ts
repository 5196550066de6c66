/**
 * The partner's id for the user, read from a token response at a dot path (`athlete.id`,
 * `userid`): for a declaration's `externalUserId`. `integer` ids (the default) are a non-negative
 * integer or a string of digits (numbers above 2^53 too, as `RawId`), kept as decimal text; `text`
 * ids are any non-blank string. Anything else (absent, null, malformed) is undefined: no user.
 */
export function tokenUserId(path: string, kind: 'integer' | 'text' = 'integer') {
  return (response: Readonly<Record<string, unknown>>): string | undefined => {
    const value = path
      .split('.')
      .reduce<unknown>(
        (v, k) => (v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as never)[k] : undefined),
        response,
      );
    if (kind === 'text') return typeof value === 'string' && value.trim() !== '' ? value : undefined;
    if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? String(value) : undefined;
    return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined;
  };
}
