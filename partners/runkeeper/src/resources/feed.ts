import type { ContainerKind, KindMappers, ResourceContext } from '@healthsync/partner-kit';
import { jsonResource, linkedItems, passStartDay, readOnce, textCursor } from '@healthsync/partner-kit';
import { RunKeeperUser } from '../schemas.js';

/** https://runkeeper.com/developer/healthgraph/overview (media types) */
export const mediaType = (name: string) => `application/vnd.com.runkeeper.${name}+json`;

/** https://runkeeper.com/developer/healthgraph/example-api-calls: `/user` names the resource paths; follow them. */
const discover = readOnce('/user', RunKeeperUser, { headers: { accept: mediaType('User') } });

/** The feeds `/user` names. */
type Feed = 'fitness_activities' | 'weight' | 'nutrition';

/**
 * A kind with its own feed: poll (`pageSize`, `next`, `modifiedNoEarlierThan`), POST, PUT and DELETE.
 * Items are named by their path (`/fitnessActivities/1`). Given the kind's mappers (`split`: a weight
 * set holds two measurements), its feed's name in `/user` and its item's media type name (its feed is
 * `<item>Feed`, a new one `New<item>`).
 */
export function feedResource<K extends ContainerKind>(mappers: KindMappers<K>, feed: Feed, item: string) {
  const path = async (ctx: ResourceContext) => (await discover(ctx))[feed];
  return jsonResource({
    kind: mappers.kind,
    idPattern: /^\/[A-Za-z_]+\/\d+$/,
    /** A pass reads every page (`next`) changed since the day before the previous pass began. */
    list: {
      cursor: textCursor({ since: 'since', page: 'next', mark: 'passStart' }),
      path,
      query: (at) => ({ pageSize: 25, modifiedNoEarlierThan: at.since }),
      headers: { accept: mediaType(`${item}Feed`) },
      items: 'items',
      ...(mappers.split && { split: mappers.split }),
      map: mappers.toApp,
      mark: passStartDay(1),
      paging: { next: 'next' },
    },
    /** Items are named by their path: a 201 Created names a new one in `Location` (`/<path>/<id>`). */
    ...linkedItems({
      collection: path,
      encode: 'json',
      body: mappers.fromApp,
      mediaTypes: { create: mediaType(`New${item}`), update: mediaType(item) },
      gone: 'not_found',
    }),
  });
}
