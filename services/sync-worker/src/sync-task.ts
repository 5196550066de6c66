import {
  AppRowNotFoundError,
  readAppRows,
  type StoreRow,
  storeContainers,
  validateContainer,
} from '@healthsync/app-store';
import type { DataKind, EventPayload, SyncOutcome } from '@healthsync/contracts';
import {
  type Container,
  isPartnerError,
  type KindResource,
  type PartnerApi,
  type PartnerHttp,
  type PolledItem,
  partnerKeeps,
  type ResourceContext,
  sameItem,
} from '@healthsync/partner-kit';
import {
  type Clock,
  createEvent,
  type Db,
  type DbOrTx,
  type Logger,
  type OutgoingEvent,
  outboxCtes,
  sql,
  withTransaction,
} from '@healthsync/platform';
import { contentHash } from './content-hash.js';
import { SCHEMA } from './db/migrations/index.js';
import { connectionKey, perDatabase, StatementGroups } from './grouping.js';
import { quietCommitterFor } from './quiet-commit.js';
import {
  type ConnectionRow,
  type StartRequest,
  type SyncStart,
  startSyncs,
} from './repositories/connections.repository.js';
import { saveCursorsCte } from './repositories/cursors.repository.js';
import {
  type ItemWrite,
  itemWriteCtes,
  lookupAfterPoll,
  markInFlight,
  type NewPolledItem,
  type SyncItemRow,
} from './repositories/sync-items.repository.js';
import { type SyncLogEntry, syncLogInsert } from './repositories/sync-log.repository.js';

export interface SyncDeps {
  readonly db: Db;
  readonly api: PartnerApi;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The event source name, e.g. `sync-worker.fitbit`. */
  readonly source: string;
  /** A signed partner HTTP client for one connection (credentials, rate budget, retries inside). */
  readonly httpFor: (connection: ConnectionRow) => Promise<PartnerHttp>;
  /** Failed attempts after which a push is parked (default 8). */
  readonly maxPushAttempts?: number;
  /** Items pushed per sync at most (default 100); the rest stay pending for the next sync. */
  readonly pushBatch?: number;
  /** Pages read per kind per sync at most (default 50); the cursor continues next time. */
  readonly maxPagesPerKind?: number;
  /**
   * No partner write starts with less than this left of the sync's lease: past its lease the
   * scheduler may have leased the connection to another worker, which would send the same items
   * again. What is not sent stays pending. Default: {@link PUSH_LEASE_MARGIN_MS}, or half the lease
   * (from `dueAt`) when that is shorter, so that a short lease still leaves time to push.
   */
  readonly pushLeaseMarginMs?: number;
}

/** A partner write's worst case: one attempt at the client's 20 s timeout, a token refresh, the commit. */
export const PUSH_LEASE_MARGIN_MS = 60_000;

export interface SyncResult {
  readonly outcome: SyncOutcome | 'stale';
  readonly pushed: number;
  readonly polledNew: number;
  readonly rejected: number;
  readonly pushPending: number;
}

type Rejection = SyncLogEntry['rejected'][number];
type PushFailure = SyncLogEntry['pushFailures'][number];
interface Failure {
  code: string;
  message: string;
  retryAt?: Date | undefined;
  /** The partner answered (HTTP status): absent for timeouts and network errors, whose effect is unknown. */
  status?: number | undefined;
}

const KINDS: readonly DataKind[] = ['measurement', 'exercise', 'food'];
const STALE: SyncResult = { outcome: 'stale', pushed: 0, polledNew: 0, rejected: 0, pushPending: 0 };

function resourceOf(api: PartnerApi, kind: string): KindResource<Container> | undefined {
  return api.resources[kind as DataKind] as KindResource<Container> | undefined;
}

/**
 * The syncs of a database that start at about the same time take their fences in one statement
 * (each its own connection's fence, as alone; a connection once per statement).
 */
const startersFor = perDatabase(
  (db: DbOrTx) =>
    new StatementGroups<StartRequest, SyncStart | undefined>((requests) => startSyncs(db, requests), {
      key: connectionKey,
    }),
);

/** Backoff for failed pushes: 1 min, 2, 4 ... capped at 6 h, with jitter. */
export function pushBackoffMs(attempts: number): number {
  const base = Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** The commit guard raised: another worker holds a newer fence. */
function isStaleFence(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'HS409';
}

interface Polled {
  readonly item: PolledItem;
  readonly kind: DataKind;
  readonly hash: string;
  /** Read only to find the partner's copy of a create in flight (a kind the user does not poll). */
  readonly adoptOnly: boolean;
}

type PushOp = 'create' | 'update' | 'replace' | 'delete';

/**
 * One leased sync of one connection (DESIGN.md §8): poll every wanted kind from its cursor, push
 * pending items, then store everything (app rows, sync items, cursors, sync log and the
 * `sync.completed` event) in one commit that happens only while this worker holds the newest
 * fence. With nothing new it costs two database round trips, each shared with the other syncs
 * starting or (quiet ones) committing at the same time.
 */
export async function runSync(deps: SyncDeps, due: EventPayload<'sync.due'>): Promise<SyncResult> {
  const { db, api, clock, logger } = deps;
  const partner = api.declaration.id;
  const startedAt = clock.now();
  const leaseEnd = Date.parse(due.leaseExpiresAt);
  // A sync.due that waited past its lease (a backlog, retries) is not started: the scheduler
  // leases the connection again with a higher fence, and that sync.due does the work. Shedding
  // the stale ones costs nothing and keeps a backlog from doubling its own work.
  if (leaseEnd <= startedAt.getTime()) {
    logger.info(
      { partner, userId: due.userId, fence: due.fence, leaseExpiresAt: due.leaseExpiresAt },
      'sync.due past its lease: not started',
    );
    return STALE;
  }
  const start = await startersFor(db).submit({
    partner,
    userId: due.userId,
    fence: due.fence,
    now: startedAt,
  });
  if (!start) return STALE;
  const { connection } = start;

  const rejected: Rejection[] = [];
  const pushFailures: PushFailure[] = [];
  const cursors: Record<string, string> = {};
  let stop: Failure | undefined;
  let partialFailure: Failure | undefined;

  const classify = (e: unknown): Failure & { fatal: boolean } => {
    if (isPartnerError(e)) {
      return {
        code: e.code,
        message: e.message,
        retryAt: e.details.retryAt,
        status: e.details.status,
        fatal: e.code === 'auth_revoked' || e.code === 'rate_limited',
      };
    }
    logger.error({ err: e, partner, userId: due.userId }, 'unexpected error during sync');
    return { code: 'transient', message: e instanceof Error ? e.message : String(e), fatal: false };
  };

  const pollKinds =
    connection.status === 'connected'
      ? KINDS.filter(
          (k) =>
            connection.poll_kinds.includes(k) &&
            api.declaration.capabilities[k]?.poll &&
            resourceOf(api, k)?.poll,
        )
      : [];
  let ctx: ResourceContext | undefined;
  if (connection.status === 'connected') {
    try {
      ctx = {
        http: await deps.httpFor(connection),
        externalUserId: connection.external_user_id ?? '',
        generation: connection.generation ?? api.declaration.auth.current,
        now: startedAt,
      };
    } catch (e) {
      stop = classify(e);
    }
  }

  // 1. Poll each kind the user wants from this partner and the partner offers, from its cursor;
  // and kinds with a create in flight, from the start, only to find the partner's copy.
  const adoptKinds = KINDS.filter(
    (k) => !pollKinds.includes(k) && start.inFlightKinds.includes(k) && resourceOf(api, k)?.poll,
  );
  const polled: Polled[] = [];
  for (const [kind, adoptOnly] of [
    ...pollKinds.map((k) => [k, false] as const),
    ...adoptKinds.map((k) => [k, true] as const),
  ]) {
    if (stop || !ctx) break;
    const resource = resourceOf(api, kind)!;
    let cursor = adoptOnly ? undefined : start.cursors[kind];
    const byId = new Map<string, PolledItem>();
    try {
      for (let page = 0; page < (deps.maxPagesPerKind ?? 50); page++) {
        const result = await resource.poll!(ctx, cursor);
        for (const item of result.items) byId.set(item.externalId, item);
        if (!adoptOnly)
          for (const r of result.rejected)
            rejected.push({ kind, externalId: r.externalId, reason: r.reason });
        if (result.nextCursor !== undefined) cursor = result.nextCursor;
        if (!result.more) break;
      }
    } catch (e) {
      const c = classify(e);
      if (c.fatal) stop = c;
      else if (!adoptOnly) partialFailure = c;
    }
    // Pages read before a failure are kept, with the cursor of the last complete page.
    for (const item of byId.values()) {
      // Validate again with the app's strict containers: a partner module's mistake must not reach the app.
      const checked = validateContainer(item.data);
      if (!checked.ok || checked.value.kind !== kind) {
        if (!adoptOnly)
          rejected.push({
            kind,
            externalId: item.externalId,
            reason: checked.ok ? `expected a ${kind}` : checked.reason,
          });
        continue;
      }
      polled.push({
        item: { ...item, data: checked.value },
        kind,
        hash: contentHash(checked.value),
        adoptOnly,
      });
    }
    if (!adoptOnly && cursor !== undefined && cursor !== start.cursors[kind]) cursors[kind] = cursor;
  }

  // 2. What the polled items are (new, edited at the partner, or what we hold) and what to push.
  const canPush = connection.status === 'connected' && !stop && ctx !== undefined;
  const lookup = await lookupAfterPoll(db, {
    partner,
    userId: due.userId,
    polled: polled.map((p) => ({ kind: p.kind, externalId: p.item.externalId })),
    withPending: canPush && start.pendingCount > 0,
    now: startedAt,
    pendingLimit: deps.pushBatch ?? 100,
  });
  // Polled items no sync item claims yet, per kind: new data, or the partner's copy of a create in flight.
  const unclaimed = new Map<string, Polled[]>();
  for (const p of polled) {
    if (lookup.known.has(`${p.kind}:${p.item.externalId}`)) continue;
    unclaimed.set(p.kind, [...(unclaimed.get(p.kind) ?? []), p]);
  }

  // 3. Push: reconcile each pending item with its app row as it is now.
  const writes = new Map<number, ItemWrite>();
  const keep = (item: SyncItemRow, set: Partial<ItemWrite>): ItemWrite => ({
    id: item.id,
    state: item.state,
    externalId: item.external_id,
    contentHash: item.content_hash,
    // New content sent to the partner: its next echo sets a new partner-side baseline.
    partnerHash:
      set.contentHash !== undefined && set.contentHash !== item.content_hash ? null : item.partner_hash,
    inFlightHash: item.in_flight_hash,
    attempts: item.attempts,
    lastError: item.last_error,
    nextAttemptAt: item.next_attempt_at,
    seenAppVersion: item.app_version,
    ...set,
  });
  let pushed = 0;
  // Pushes not started because the lease was ending.
  let unsent = 0;
  if (canPush && lookup.pending.length > 0) {
    const plan: { item: SyncItemRow; op: PushOp; container?: Container; hash?: string }[] = [];
    const byKind = new Map<string, SyncItemRow[]>();
    for (const item of lookup.pending) byKind.set(item.kind, [...(byKind.get(item.kind) ?? []), item]);
    for (const [kind, items] of byKind) {
      const capability = api.declaration.capabilities[kind as DataKind];
      const resource = resourceOf(api, kind);
      const rows = new Map(
        (
          await readAppRows(
            db,
            kind as DataKind,
            items.flatMap((i) => (i.app_row_id ? [i.app_row_id] : [])),
          )
        ).map((r) => [r.appRowId, r]),
      );
      for (const original of items) {
        let item = original;
        if (item.in_flight_hash) {
          // A create whose outcome is unknown (the worker died after the call): adopt the
          // partner's item if the poll brought it back, instead of creating it twice. The partner
          // may keep it otherwise (its rounding, a time without zone): then the same item within
          // the partner's round-trip tolerance, when the app row is still what was sent.
          const candidates = unclaimed.get(kind) ?? [];
          const sent = item.app_row_id ? rows.get(item.app_row_id)?.container : undefined;
          let match = candidates.findIndex((p) => p.hash === item.in_flight_hash);
          if (match < 0 && sent && contentHash(sent) === item.in_flight_hash)
            match = candidates.findIndex((p) => sameItem(sent, p.item.data, api.roundTrip));
          if (match >= 0) {
            const [found] = candidates.splice(match, 1);
            item = {
              ...item,
              external_id: found!.item.externalId,
              content_hash: item.in_flight_hash,
              partner_hash: found!.hash,
              in_flight_hash: null,
            };
            writes.set(
              item.id,
              keep(item, { state: 'synced', attempts: 0, lastError: null, nextAttemptAt: null }),
            );
          }
        }
        const isDue =
          item.state === 'pending' && (item.next_attempt_at === null || item.next_attempt_at <= startedAt);
        if (!isDue) continue;
        if (!connection.push_kinds.includes(kind)) {
          // The user stopped pushing this kind here since the change was queued.
          writes.set(
            item.id,
            keep(item, {
              state: 'synced',
              inFlightHash: null,
              lastError: `the user no longer pushes ${kind} to ${partner}`,
            }),
          );
          continue;
        }
        const row = item.app_row_id ? rows.get(item.app_row_id) : undefined;
        if (!row || row.deleted) {
          if (item.external_id && capability?.delete && resource?.delete) plan.push({ item, op: 'delete' });
          else
            writes.set(
              item.id,
              keep(item, {
                state: 'deleted',
                inFlightHash: null,
                lastError: item.external_id
                  ? `${partner} cannot delete ${kind} items; the copy there stays`
                  : null,
              }),
            );
          continue;
        }
        if (row.container === null) {
          writes.set(
            item.id,
            keep(item, { state: 'parked', lastError: `the app row cannot be sent: ${row.problem}` }),
          );
          continue;
        }
        if (!item.external_id && !item.in_flight_hash && !partnerKeeps(api.declaration, row.container)) {
          // The row became a measurement type the partner does not keep before its event came.
          writes.set(item.id, keep(item, { state: 'deleted', inFlightHash: null, lastError: null }));
          continue;
        }
        const hash = contentHash(row.container);
        if (!item.external_id) {
          if (resource?.create) plan.push({ item, op: 'create', container: row.container, hash });
          else
            writes.set(
              item.id,
              keep(item, { state: 'parked', lastError: `${partner} has no create for ${kind}` }),
            );
        } else if (hash === item.content_hash) {
          writes.set(
            item.id,
            keep(item, { state: 'synced', attempts: 0, lastError: null, nextAttemptAt: null }),
          );
        } else if (capability?.update && resource?.update) {
          plan.push({ item, op: 'update', container: row.container, hash });
        } else if (capability?.delete && resource?.delete && resource.create) {
          // No update endpoint (Fitbit logs): delete the partner's item, then create the new version.
          plan.push({ item, op: 'replace', container: row.container, hash });
        } else {
          writes.set(
            item.id,
            keep(item, {
              state: 'synced',
              lastError: `${partner} cannot update ${kind} items; the edit stays in the app`,
            }),
          );
        }
      }
    }

    const margin =
      deps.pushLeaseMarginMs ?? Math.min(PUSH_LEASE_MARGIN_MS, (leaseEnd - Date.parse(due.dueAt)) / 2);
    const leaseEnding = () => leaseEnd - clock.now().getTime() < margin;
    // Nothing is sent, nor marked in flight, when the lease is (nearly) over from the start.
    if (leaseEnding()) unsent = plan.splice(0).length;
    const sending = plan.filter((p) => p.op === 'create' || p.op === 'replace');
    const held = await markInFlight(db, {
      partner,
      userId: due.userId,
      fence: due.fence,
      items: sending.map((p) => ({ id: p.item.id, hash: p.hash! })),
    });
    if (!held) return STALE;

    for (const [n, { item, op, container, hash }] of plan.entries()) {
      if (leaseEnding()) {
        // Not sent: these stay as they were, for the next sync (a new lease).
        for (const rest of plan.slice(n)) writes.set(rest.item.id, keep(rest.item, {}));
        unsent = plan.length - n;
        break;
      }
      const resource = resourceOf(api, item.kind)!;
      try {
        if (op === 'delete') {
          await ignoreNotFound(resource.delete!(ctx!, item.external_id!));
          writes.set(
            item.id,
            keep(item, {
              state: 'deleted',
              inFlightHash: null,
              attempts: 0,
              lastError: null,
              nextAttemptAt: null,
            }),
          );
        } else {
          let externalId: string;
          if (op === 'create') externalId = (await resource.create!(ctx!, container!)).externalId;
          else if (op === 'update')
            externalId = (await resource.update!(ctx!, item.external_id!, container!)).externalId;
          else {
            await ignoreNotFound(resource.delete!(ctx!, item.external_id!));
            externalId = (await resource.create!(ctx!, container!)).externalId;
          }
          writes.set(
            item.id,
            keep(item, {
              state: 'synced',
              externalId,
              contentHash: hash!,
              inFlightHash: null,
              attempts: 0,
              lastError: null,
              nextAttemptAt: null,
            }),
          );
        }
        pushed++;
      } catch (e) {
        const c = classify(e);
        if (c.fatal) {
          stop = c;
          // Nothing was sent for this item and the ones after it: they stay as they were.
          for (const rest of plan.slice(n)) writes.set(rest.item.id, keep(rest.item, {}));
          break;
        }
        if (c.code === 'not_found' && op === 'update') {
          // The partner's copy is gone: create it again on the next sync.
          writes.set(item.id, keep(item, { externalId: null, contentHash: null }));
          continue;
        }
        const attempts = item.attempts + 1;
        // Invalid data will not become valid by retrying: park it at once, with the partner's reason.
        const park = c.code === 'invalid_data' || attempts >= (deps.maxPushAttempts ?? 8);
        pushFailures.push({
          kind: item.kind,
          appRowId: item.app_row_id,
          code: c.code,
          message: c.message,
          parked: park,
        });
        writes.set(
          item.id,
          keep(item, {
            state: park ? 'parked' : 'pending',
            // A create that failed in transit may still have happened: keep looking for it.
            inFlightHash:
              c.code === 'transient' && c.status === undefined && (op === 'create' || op === 'replace')
                ? hash!
                : null,
            attempts,
            lastError: `${c.code}: ${c.message}`,
            nextAttemptAt: park ? null : new Date(clock.now().getTime() + pushBackoffMs(attempts)),
          }),
        );
        if (park)
          logger.warn(
            {
              partner,
              userId: due.userId,
              kind: item.kind,
              appRowId: item.app_row_id,
              code: c.code,
              reason: c.message,
            },
            'push parked',
          );
      }
    }
  }

  if (unsent > 0) {
    const message = `the lease ends at ${due.leaseExpiresAt}: ${unsent} push(es) left for the next sync`;
    logger.warn({ partner, userId: due.userId, fence: due.fence, unsent }, message);
    partialFailure ??= { code: 'transient', message };
  }

  // 4. Polled items: new ones are stored; an edit at the partner updates the app row unless the
  // app has a change of its own waiting to be pushed (the app's newer change wins).
  const fresh = new Map<string, Polled[]>();
  const edits: { polled: Polled; item: SyncItemRow }[] = [];
  for (const [kind, list] of unclaimed)
    fresh.set(
      kind,
      list.filter((p) => !p.adoptOnly),
    );
  for (const p of polled) {
    if (p.adoptOnly) continue;
    const item = lookup.known.get(`${p.kind}:${p.item.externalId}`);
    if (!item?.app_row_id) continue;
    if (item.state !== 'synced' || item.in_flight_hash || writes.has(item.id)) continue;
    if ((item.partner_hash ?? item.content_hash) === p.hash) continue;
    if (item.partner_hash === null && item.origin === 'app') {
      // The first copy of what we pushed: the partner's own representation of it, not an edit.
      writes.set(item.id, keep(item, { partnerHash: p.hash }));
      continue;
    }
    edits.push({ polled: p, item });
  }

  const finishedAt = clock.now();
  const newCount = [...fresh.values()].reduce((n, l) => n + l.length, 0);
  const stillPending = Math.max(
    0,
    start.pendingCount - [...writes.values()].filter((w) => w.state !== 'pending').length,
  );
  const skipped = connection.status !== 'connected';
  const outcome: SyncOutcome = skipped
    ? 'skipped'
    : stop
      ? stop.code === 'rate_limited'
        ? 'deferred'
        : 'failed'
      : partialFailure || pushFailures.length > 0
        ? 'partial'
        : 'ok';
  const failure: Failure | undefined = skipped
    ? { code: 'not_connected', message: `the connection is ${connection.status} in this worker` }
    : (stop ??
      partialFailure ??
      (pushFailures[0] ? { code: pushFailures[0].code, message: pushFailures[0].message } : undefined));

  for (const r of rejected)
    logger.warn(
      { partner, userId: due.userId, kind: r.kind, externalId: r.externalId, reason: r.reason },
      'partner item rejected',
    );

  // 5. Commit, only while holding the fence.
  const commit = async (): Promise<boolean> => {
    const polledNew = [...fresh.values()].reduce((n, l) => n + l.length, 0) + edits.length;
    const log: SyncLogEntry = {
      partner,
      userId: due.userId,
      fence: due.fence,
      reasons: due.reasons,
      outcome,
      pushed,
      polledNew,
      rejected,
      pushFailures,
      errorCode: failure?.code,
      errorMessage: failure?.message,
      startedAt,
      finishedAt,
    };
    const events: OutgoingEvent[] = [
      createEvent(
        'sync.completed',
        {
          userId: due.userId,
          partner,
          fence: due.fence,
          reasons: due.reasons,
          pushed,
          pushPending: stillPending,
          polledNew,
          polledKinds: pollKinds,
          rejected: rejected.length,
          outcome,
          ...(stop?.retryAt ? { retryAt: stop.retryAt.toISOString() } : {}),
          ...(failure ? { error: { code: failure.code, message: failure.message.slice(0, 1000) } } : {}),
          startedAt: startedAt.toISOString(),
          finishedAt: finishedAt.toISOString(),
        },
        { source: deps.source },
      ),
    ];
    if (stop?.code === 'auth_revoked') {
      events.push(
        createEvent(
          'connection.needs-reauth',
          { userId: due.userId, partner, reason: `auth_revoked: ${stop.message}`.slice(0, 500) },
          { source: deps.source },
        ),
      );
    }

    const stores = [...fresh.values()].some((l) => l.length > 0) || edits.length > 0;
    // A quiet sync (nothing moved, nothing rejected or failed) is counted on the connection
    // instead of logged; any other sync gets its sync_log row and resets the count.
    const quiet = outcome === 'ok' && pushed === 0 && polledNew === 0 && rejected.length === 0;
    const summary = sql`
      update sync.connections set last_outcome = ${outcome}, last_finished_at = ${finishedAt},
        quiet_syncs = ${quiet ? sql`quiet_syncs + 1` : sql`0`}
      where partner = ${partner} and user_id = ${due.userId}
      returning 1`;
    if (quiet && !stores && writes.size === 0 && Object.keys(cursors).length === 0) {
      // The common case: the connection's summary and sync.completed, only while we hold the
      // fence, written together with the other quiet syncs finishing now (one statement for all,
      // still fenced per connection: see QuietCommitter).
      return quietCommitterFor(db).commit({
        partner,
        userId: due.userId,
        fence: due.fence,
        outcome,
        finishedAt,
        event: events[0]!,
      });
    }

    const finalStatement = async (trx: DbOrTx, inserts: NewPolledItem[]) => {
      const editWrites = edits.map((e) =>
        keep(e.item, { contentHash: e.polled.hash, partnerHash: e.polled.hash }),
      );
      await sql`
        with ${itemWriteCtes(inserts, [...writes.values(), ...editWrites])},
        cursors_saved as (${saveCursorsCte(partner, due.userId, cursors)}),
        ${quiet ? sql`` : sql`log as (${syncLogInsert(log, sql`(select 1) as one`)}),`}
        connection_summary as (${summary}),
        ${outboxCtes(SCHEMA, events)}
        select sync.hold_fence(${partner}, ${due.userId}, ${due.fence})`.execute(trx);
    };
    try {
      if (!stores) {
        await finalStatement(db, []);
        return true;
      }
      await withTransaction(db, async (trx) => {
        const inserts: NewPolledItem[] = [];
        for (const kind of KINDS) {
          const news = fresh.get(kind) ?? [];
          const changed = edits.filter((e) => e.polled.kind === kind);
          if (news.length === 0 && changed.length === 0) continue;
          const rows: StoreRow[] = [
            ...news.map((p) => ({ userId: due.userId, container: p.item.data })),
            ...changed.map((e) => ({
              userId: due.userId,
              container: e.polled.item.data,
              appRowId: e.item.app_row_id!,
            })),
          ];
          const ids = await storeContainers(trx, rows);
          news.forEach((p, n) => {
            inserts.push({
              partner,
              userId: due.userId,
              kind,
              appRowId: ids[n]!,
              externalId: p.item.externalId,
              contentHash: p.hash,
            });
          });
        }
        await finalStatement(trx, inserts);
      });
      return true;
    } catch (e) {
      if (isStaleFence(e)) return false;
      throw e;
    }
  };

  let committed: boolean;
  try {
    committed = await commit();
  } catch (e) {
    if (!(e instanceof AppRowNotFoundError)) throw e;
    // App rows the partner edited are gone from the app (rolled back): forget those items, commit the rest.
    const gone = new Set(e.appRowIds);
    for (const [i, edit] of [...edits.entries()].reverse())
      if (edit.item.app_row_id && gone.has(edit.item.app_row_id) && edit.polled.kind === e.kind) {
        edits.splice(i, 1);
        writes.set(
          edit.item.id,
          keep(edit.item, { state: 'deleted', lastError: 'the app row no longer exists' }),
        );
      }
    committed = await commit();
  }
  const result: SyncResult = {
    outcome,
    pushed,
    polledNew: newCount + edits.length,
    rejected: rejected.length,
    pushPending: stillPending,
  };
  return committed ? result : STALE;
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(isPartnerError(e) && e.code === 'not_found')) throw e;
  }
}
