import { z } from 'zod';
import type { ResourceContext } from './define-partner.js';
import { getJson, type JsonReadOptions } from './read.js';

export interface JsonRecordSpec {
  readonly read?: JsonReadOptions;
  /** The record's media type, if the partner versions by media type (`Accept` on the read, `Content-Type` on the write). */
  readonly mediaType?: string;
  /** Fields the partner sets itself (links, owner, source): never written back. Names, `prefix*`
   * for every field starting with the prefix, or a test. */
  readonly readOnly: readonly string[] | ((field: string) => boolean);
}

const JsonObject = z.record(z.string(), z.unknown());

/**
 * `sharedRecords`' `read` and `write` for a record that is one JSON document at its id (a path):
 * read with GET, keeping only what may be written back (not `readOnly`, not null); replaced
 * whole with a PUT of JSON.
 */
export function jsonRecord(spec: JsonRecordSpec) {
  const { readOnly } = spec;
  const kept = (field: string) =>
    typeof readOnly === 'function'
      ? !readOnly(field)
      : !readOnly.some((r) => (r.endsWith('*') ? field.startsWith(r.slice(0, -1)) : field === r));
  const headers = (name: string) => (spec.mediaType ? { headers: { [name]: spec.mediaType } } : {});
  return {
    read: async ({ http }: ResourceContext, path: string): Promise<Record<string, unknown>> => {
      const stored = await getJson(http, path, JsonObject, { ...spec.read, ...headers('accept') });
      return Object.fromEntries(Object.entries(stored).filter(([k, v]) => v != null && kept(k)));
    },
    write: ({ http }: ResourceContext, path: string, json: Record<string, unknown>) =>
      http.request({ method: 'PUT', path, json, ...headers('content-type') }),
  };
}
