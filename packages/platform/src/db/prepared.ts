import pg from 'pg';

/**
 * Marks a statement to be kept prepared on each connection: this SQL comment first in the
 * statement's text. Only statements whose text is the same on every
 * call (values go in parameters) may carry it: each distinct text becomes one server-side
 * prepared statement per connection.
 */
export const PREPARED_MARK = '/* prepared */';

/** Distinct marked texts kept prepared at most; further ones run unnamed (a bound, not a tuning knob). */
const MAX_PREPARED = 64;
const names = new Map<string, string>();

function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED) {
    name = `hs_prepared_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

/** The text starts (after white space) with the mark. */
function isMarked(text: string): boolean {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r'))
    i++;
  return text.startsWith(PREPARED_MARK, i);
}

/**
 * A pg client that runs a service's hot statements (marked with {@link PREPARED_MARK}) as
 * named prepared statements: PostgreSQL parses and plans them once per connection instead of on
 * every call, which is most of their server-side cost (a generic plan of a few index probes).
 */
export class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads (callbacks, config objects, cursors) pass through unchanged.
  override query(...args: any[]): any {
    const [text, values] = args;
    if (
      args.length <= 2 &&
      typeof text === 'string' &&
      isMarked(text) &&
      (values === undefined || Array.isArray(values))
    ) {
      const name = statementName(text);
      if (name) return super.query({ name, text, values });
    }
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    return (super.query as (...a: any[]) => any)(...args);
  }
}
