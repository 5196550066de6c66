import { readContainers, readUserChangesAfter, timestampFromMicros } from '@healthsync/app-store';
import type { DataKind, EventPayload } from '@healthsync/contracts';
import { type PartnerDeclaration, partnerKeeps } from '@healthsync/partner-kit/declaration';
import { createEvent, outboxCtes, sql, type Tx } from '@healthsync/platform';
import { contentHash } from '../content-hash.js';
import { SCHEMA } from '../db/migrations/index.js';
import type { ItemState, SyncItemRow } from '../repositories/sync-items.repository.js';

export type DataChangedOutcome = 'ignored' | 'unchanged' | 'pending' | 'dropped';

type Lookup = Pick<
  SyncItemRow,
  'id' | 'state' | 'external_id' | 'content_hash' | 'in_flight_hash' | 'app_version' | 'attempts'
> & {
  push_kinds: string[];
  /** The row was last changed before the connection's pushes of its kind begin: the user's history. */
  history: boolean | null;
  /** The connection's pending items before this change. */
  pending: number;
};

/**
 * Turn an app change into work for this partner, when the user pushes that kind to it and the
 * partner accepts it: the sync item becomes `pending`, and the next sync reads the app row as it
 * is then and creates, updates or deletes at the partner. An app row that holds exactly what the
 * partner holds (what we stored from it, or pushed to it) is an echo and changes nothing: an item
 * fetched from this partner is never pushed back unless the user edits it in the app.
 */
export async function onDataChanged(
  trx: Tx,
  declaration: PartnerDeclaration,
  p: EventPayload<'shapeup.data-changed'>,
  source: string,
): Promise<DataChangedOutcome> {
  const partner = declaration.id;
  const capability = declaration.capabilities[p.kind];
  if (!capability?.push) return 'ignored';
  // The connection (even while disconnected: a reconnect of the same account pushes what changed
  // meanwhile), the item and the connection's pending count, in one round trip.
  const found = await sql<Lookup>`
    select c.push_kinds,
      ${timestampFromMicros(BigInt(p.version))} < coalesce((c.kind_push_since ->> ${p.kind})::timestamptz, c.push_since) as history,
      i.id, i.state, i.external_id, i.content_hash, i.in_flight_hash, i.app_version, i.attempts,
      (select count(*)::int from sync.sync_items p
        where p.partner = c.partner and p.user_id = c.user_id and p.state = 'pending') as pending
    from sync.connections c
    left join sync.sync_items i on i.partner = c.partner and i.user_id = c.user_id and i.kind = ${p.kind} and i.app_row_id = ${p.itemId}
    where c.partner = ${partner} and c.user_id = ${p.userId}`.execute(trx);
  const row = found.rows[0];
  if (!row?.push_kinds.includes(p.kind)) return 'ignored';
  const item = row.id === null ? undefined : row;
  // A row last changed before the connection began is the user's history: left alone until edited.
  if (!item && row.history) return 'ignored';
  if (item?.app_version != null && BigInt(item.app_version) >= BigInt(p.version)) return 'unchanged';

  let next: ItemState;
  if (p.op === 'delete') {
    if (!item || item.state === 'deleted') return remember(trx, item, p.version, 'ignored');
    // Never reached the partner and no create in flight: nothing to delete there.
    if (!item.external_id && !item.in_flight_hash) {
      await write(trx, { partner, p, item, state: 'deleted', source: undefined, pending: row.pending });
      return 'dropped';
    }
    next = 'pending';
  } else {
    const [current] = await readContainers(trx, p.kind, [p.itemId]);
    // Deleted since, or a row partners cannot take (the strict containers refuse it).
    if (!current || current.deleted || current.userId !== p.userId)
      return remember(trx, item, p.version, 'ignored');
    // A measurement type the partner does not keep is none of its business: nothing to push, nor
    // to park. An item of it that never reached the partner (the row's type was changed) is dropped.
    if (!partnerKeeps(declaration, current.container) && !item?.external_id && !item?.in_flight_hash) {
      if (!item || item.state === 'deleted') return remember(trx, item, p.version, 'ignored');
      await write(trx, { partner, p, item, state: 'deleted', source: undefined, pending: row.pending });
      return 'dropped';
    }
    if (
      item &&
      item.state === 'synced' &&
      item.external_id &&
      contentHash(current.container) === item.content_hash
    )
      return remember(trx, item, p.version, 'unchanged');
    if (item?.external_id && !capability.update && !capability.delete)
      return remember(trx, item, p.version, 'ignored');
    next = 'pending';
  }
  await write(trx, { partner, p, item, state: next, source, pending: row.pending });
  return 'pending';
}

/**
 * The user's app rows of `kinds` changed since `since`, each handled as its `shapeup.data-changed`:
 * a new connection, or a kind newly pushed, takes up the changes whose events the worker handled
 * before it knew of it (they found no connection, or a kind not pushed). Returns how many became
 * pending. One read per 500 rows; each row is then handled as its event is.
 */
export async function takeUpChanges(
  trx: Tx,
  declaration: PartnerDeclaration,
  userId: string,
  kinds: readonly DataKind[],
  since: Date,
  source: string,
): Promise<number> {
  let pending = 0;
  for (const kind of kinds) {
    if (!declaration.capabilities[kind]?.push) continue;
    let cursor = { us: BigInt(since.getTime()) * 1000n, id: 0n };
    for (;;) {
      const changes = await readUserChangesAfter(trx, kind, userId, cursor, 500);
      for (const c of changes) {
        const op = c.deleted ? 'delete' : 'upsert';
        const p = { userId, kind, itemId: c.appRowId, op, version: c.version.toString() } as const;
        if ((await onDataChanged(trx, declaration, p, source)) === 'pending') pending++;
      }
      const last = changes.at(-1);
      if (!last || changes.length < 500) break;
      cursor = { us: last.version, id: BigInt(last.appRowId) };
    }
  }
  return pending;
}

/** Record the newest app version seen, so an older event delivered late changes nothing. */
async function remember(
  trx: Tx,
  item: Lookup | undefined,
  version: string,
  outcome: DataChangedOutcome,
): Promise<DataChangedOutcome> {
  if (item)
    await sql`update sync.sync_items set app_version = ${version}, updated_at = now() where id = ${item.id}`.execute(
      trx,
    );
  return outcome;
}

/**
 * Insert or update the item and, when it becomes pending, enqueue `sync.push-pending` with the
 * connection's pending count: one statement.
 */
async function write(
  trx: Tx,
  w: {
    partner: string;
    p: EventPayload<'shapeup.data-changed'>;
    item: Lookup | undefined;
    state: ItemState;
    source: string | undefined;
    pending: number;
  },
): Promise<void> {
  const { partner, p } = w;
  const upsert = w.item
    ? sql`update sync.sync_items set state = ${w.state}, app_version = ${p.version}, attempts = 0,
        next_attempt_at = null, last_error = null, updated_at = now()
        ${
          // A row back from the dead: the partner's copy was deleted, so it is created again.
          w.item.state === 'deleted' ? sql`, external_id = null, content_hash = null` : sql``
        }
        where id = ${w.item.id} returning 1`
    : sql`insert into sync.sync_items (partner, user_id, kind, app_row_id, origin, state, app_version)
        values (${partner}, ${p.userId}, ${p.kind}, ${p.itemId}, 'app', ${w.state}, ${p.version}) returning 1`;
  // sync.push-pending tells the scheduler a push is due; an item queued already (and not
  // backing off) needs no second word. Item and event are written in one statement.
  const queued = w.item?.state === 'pending' && w.item.attempts === 0;
  if (!w.source || queued) {
    await sql`with written as (${upsert}) select 1`.execute(trx);
    return;
  }
  const count = w.pending + (w.item?.state === 'pending' ? 0 : 1);
  const event = createEvent('sync.push-pending', { userId: p.userId, partner, count }, { source: w.source });
  await sql`with written as (${upsert}), ${outboxCtes(SCHEMA, [event])} select 1`.execute(trx);
}
