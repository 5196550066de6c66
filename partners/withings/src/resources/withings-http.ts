import { numberCursor } from '@healthsync/partner-kit';

/**
 * A `lastupdate` read, paged by `offset` while `more` (0/1 in getmeas, a boolean in getworkouts):
 * https://developer.withings.com/developer-guide/v3/tutorials/how-to-compute-lastupdate
 * The cursor keeps `lastupdate` = the highest `modified` stored; while paging, also the next
 * `offset` and the running `max`; both go in the query beside the action's parameters. The first
 * poll (or an unreadable cursor) reads everything; legacy OAuth 1.0a calls carry `userid`.
 * (`classify` has already refused any envelope whose `status` is not 0.)
 */
export const lastUpdate = (query: Readonly<Record<string, string | number>>) => ({
  cursor: numberCursor({ since: 'lastupdate', page: 'offset', mark: 'max' }, { initial: 0 }),
  query,
  userQuery: { oauth1: 'userid' },
  mark: 'modified',
  paging: { offset: 'body.offset', more: 'body.more' },
});
