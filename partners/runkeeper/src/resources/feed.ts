import type { ContainerKind, KindMappers, ResourceContext } from '@healthsync/partner-kit';
import { jsonResource, linkedItems, passStartDay, readOnce, textCursor } from '@healthsync/partner-kit';
import { RunKeeperUser } from '../schemas.js';

/** https://runkeeper.com/developer/healthgraph/overview (media types) */
export const mediaType = (name: string) => `application/vnd.com.runkeeper.${name}+json`;
/** An unreadable answer is classified transient (retried), as this module always has. */
export const READ = { mismatch: 'transient' } as const;

/** https://runkeeper.com/developer/healthgraph/example-api-calls: `/user` names the resource paths; follow them. */
const discover = readOnce('/user', RunKeeperUser, { ...READ, headers: { accept: mediaType('User') } });

/** A kind's feed: its path in `/user`, its media type name and its mappers (`split`: a weight set holds two measurements). */
export interface FeedSpec<K extends ContainerKind> extends KindMappers<K> {
  readonly path: 'fitness_activities' | 'weight' | 'nutrition';
  /** The item's media type name: its feed is `<item>Feed`, a new one `New<item>`. */
  readonly item: string;
}

/** A kind with its own feed: poll (`pageSize`, `next`, `modifiedNoEarlierThan`), POST, PUT and DELETE.
 * Items are named by their path (`/fitnessActivities/1`). */
export function feedResource<K extends ContainerKind>(spec: FeedSpec<K>) {
  const path = async (ctx: ResourceContext) => (await discover(ctx))[spec.path];
  return jsonResource({
    kind: spec.kind,
    read: READ,
    idPattern: /^\/[A-Za-z_]+\/\d+$/,
    /** A pass reads every page (`next`) changed since the day before the previous pass began. */
    list: {
      cursor: textCursor({ since: 'since', page: 'next', mark: 'passStart' }),
      path,
      query: (at) => ({ pageSize: 25, modifiedNoEarlierThan: at.since }),
      headers: { accept: mediaType(`${spec.item}Feed`) },
      items: 'items',
      ...(spec.split && { split: spec.split }),
      map: spec.toApp,
      mark: passStartDay(1),
      paging: { next: 'next' },
    },
    /** Items are named by their path: a 201 Created names a new one in `Location` (`/<path>/<id>`). */
    ...linkedItems({
      collection: path,
      encode: 'json',
      body: spec.fromApp,
      mediaTypes: { create: mediaType(`New${spec.item}`), update: mediaType(spec.item) },
      gone: 'not_found',
    }),
  });
}
