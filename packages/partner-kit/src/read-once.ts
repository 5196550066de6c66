import type { z } from 'zod';
import type { PartnerRequest } from './define-partner.js';
import { getJson, type JsonReadOptions } from './read.js';
import { perConnection } from './rest.js';

/**
 * A JSON document a connection reads once and then reuses (a discovery document naming the
 * resource paths): `getJson` remembered per connection (`perConnection`); a failed read is not
 * remembered.
 */
export function readOnce<S extends z.ZodType>(
  path: string,
  schema: S,
  options: JsonReadOptions & Pick<PartnerRequest, 'query' | 'headers'> = {},
) {
  return perConnection(({ http }) => getJson(http, path, schema, options));
}
