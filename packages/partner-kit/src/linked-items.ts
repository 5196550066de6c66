import type { ConnectionPath, DeleteSpec, WriteSpec } from './rest.js';

export interface LinkedItemsSpec<I> {
  /** The collection's path (where new items are POSTed), as a list's `path`: fixed, or found per
   * connection (a discovery document's link). */
  readonly collection: ConnectionPath;
  readonly encode: WriteSpec<I>['encode'];
  readonly body: WriteSpec<I>['body'];
  /** The media types of a new item and of an item (`Content-Type`), if the partner versions by media type. */
  readonly mediaTypes?: { readonly create: string; readonly update: string };
  /** An item already gone on delete: deleted (default) or `not_found`. */
  readonly gone?: DeleteSpec['gone'];
}

/**
 * The writes of a collection whose items are named by their link (a path, as hypermedia APIs
 * do): an item is created by a POST to the collection and named by the `Location` of the answer,
 * replaced by a PUT and removed by a DELETE at that path. Spread into a `jsonResource`, whose
 * `idPattern` says which paths are items.
 */
export function linkedItems<I>(spec: LinkedItemsSpec<I>): {
  create: WriteSpec<I>;
  update: WriteSpec<I>;
  delete: DeleteSpec;
} {
  const as = (type: string | undefined) => (type ? { headers: { 'content-type': type } } : {});
  const write = { encode: spec.encode, body: spec.body };
  const { collection } = spec;
  return {
    create: {
      path: typeof collection === 'string' ? collection : (_body, ctx) => collection(ctx),
      ...write,
      ...as(spec.mediaTypes?.create),
      id: 'location',
    },
    update: { path: '{id}', ...write, ...as(spec.mediaTypes?.update) },
    delete: { path: '{id}', ...(spec.gone && { gone: spec.gone }) },
  };
}
