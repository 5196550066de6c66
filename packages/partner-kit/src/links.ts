import { z } from 'zod';
import type { RawPath, RawReader } from './fields.js';

/**
 * Partners that name their resources by link (hypermedia APIs: a `uri` per item, a root document
 * naming the collections, `Location` on create) give paths (`/fitnessActivities/1`) or absolute
 * URLs. The kit keeps the path: the partner's HTTP client adds the API's origin.
 */

/** A link's path: an absolute URL loses its scheme and host; a path stays as it is. */
export const pathOfLink = (link: string): string => link.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, '');

/** A link in a partner answer, read as its path (anything that is not a path afterwards fails). */
export const LinkPath = z.string().transform(pathOfLink).pipe(z.string().startsWith('/'));

/** A `fieldMapper` `id`: the path of the item's own link at `field` (absent when it is not a link). */
export const linkId =
  (field: RawPath) =>
  (r: RawReader): string | undefined =>
    LinkPath.safeParse(r.get(field)).data;
