import { type RawPath, rawAt } from './fields.js';

/**
 * A `jsonResource` write's `id` for ids we compose: the new item's id at the first of `paths`
 * present in the answer (a number or a text), named with `name` from it and the body sent (a
 * measurement log's entry: `<log>:<entry id>`). Undefined when the answer holds none (the write fails).
 */
export const createdId =
  (paths: readonly RawPath[], name: (id: string, body: Readonly<Record<string, unknown>>) => string) =>
  (answer: unknown, _res: unknown, body: Readonly<Record<string, unknown>>): string | undefined => {
    const id = paths.map((p) => rawAt(answer, p)).find((v) => typeof v === 'string' || typeof v === 'number');
    return id === undefined ? undefined : name(String(id), body);
  };
