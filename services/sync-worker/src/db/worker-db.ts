// The platform's module also sets the pg type parsers (int8 as number) every service relies on.
import type { Db } from '@healthsync/platform';
import '@healthsync/platform';
import { Kysely, PostgresDialect } from 'kysely';
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
    name = `sync_worker_${names.size + 1}`;
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
 * A pg client that runs the hot statements of a sync (marked with {@link PREPARED_MARK}) as
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

export interface WorkerDbOptions {
  /** Pool size. */
  max: number;
  applicationName?: string;
  /** The client class (a subclass of {@link PreparingClient}, e.g. one that counts queries). */
  Client?: typeof PreparingClient;
}

/**
 * The worker's database: the platform's pool settings (errors of idle or broken clients do not
 * crash the process; the pool replaces them) with {@link PreparingClient}.
 */
export function createWorkerDb(url: string, options: WorkerDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    application_name: options.applicationName ?? 'healthsync',
    Client: options.Client ?? PreparingClient,
  });
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
}
