import { sql } from 'kysely';
import { backoffDelay } from '../bus/backoff.js';
import type { Bus, RawMessage } from '../bus/bus.js';
import { UnroutableError } from '../bus/errors.js';
import { describeError } from '../bus/outcome.js';
import type { Db } from '../db/db.js';
import type { Logger } from '../logger.js';
import { createSleeper } from '../sleeper.js';

/**
 * The outbox relay (DESIGN.md §8): moves committed outbox rows to the broker.
 *
 * One batch = one transaction: select up to `batchSize` unsent rows in `seq` order
 * `FOR UPDATE SKIP LOCKED`, publish them with confirms, mark the confirmed ones sent with one
 * UPDATE, commit. Rows of a transaction that rolled back never exist, so they are never sent.
 * Two relays (two replicas, or `concurrency` > 1) never hold the same row, so no row is published
 * twice by them; a crash between the confirm and the commit re-sends the batch (at-least-once;
 * consumers dedup by event id through their inbox).
 *
 * Waking up: the relay polls, by default every 100 ms when idle (one index probe on the partial
 * `sent_at is null` index), and `wake()` lets a service nudge it right after a commit.
 * LISTEN/NOTIFY was not chosen: it needs a trigger on the outbox (NOTIFY takes a global lock at
 * commit, which serializes committing writers under load) and a dedicated connection that must
 * itself be kept alive; a short poll costs less and cannot miss a row.
 *
 * Failures: while the broker is away nothing is selected (the relay waits for the bus) and rows
 * stay unsent; a batch that loses the connection mid-way commits what was confirmed and leaves
 * the rest. Per-row failures are recorded on the row (`attempts + 1`, `last_error`). A row the
 * broker keeps returning as unroutable (no queue bound: a topology bug) is parked after
 * `maxUnroutableAttempts` so it does not delay the rows behind it; it stays unsent with its
 * reason for an operator (`update <schema>.outbox set attempts = 0 where ...` releases it).
 */
export const OUTBOX_RELAY_BATCH_SIZE = 2_000;
/** Batches in flight by default (see {@link OutboxRelayOptions.concurrency}). */
export const OUTBOX_RELAY_CONCURRENCY = 3;

export interface OutboxRelayOptions {
  readonly db: Db;
  readonly schema: string;
  readonly bus: Pick<Bus, 'publishRaw' | 'waitUntilConnected'>;
  readonly logger: Logger;
  /** Rows per transaction (default 2000: measured best with 3 in flight, see bench/bus.bench.ts). */
  readonly batchSize?: number;
  /** Poll interval when there is nothing to send (default 100 ms). */
  readonly idleMs?: number;
  /**
   * Batches in flight at once (default 3: while one batch waits for its confirms the next ones
   * are selected and published, which hides the database round trips behind the broker's). Batches
   * are selected and handed to the broker in `seq` order; with 1, a failed batch is also re-sent
   * before any later row, with more a later batch may already be out.
   */
  readonly concurrency?: number;
  /** Park a row after this many unroutable returns (default 20). */
  readonly maxUnroutableAttempts?: number;
  /** Delete sent rows older than this (default 24 h); 0 disables pruning. */
  readonly pruneAfterHours?: number;
  /**
   * Delete event-log rows older than this (default 168 h: a week to look back at what a service
   * consumed and emitted); 0 keeps the log for good, as a service whose state is projected from
   * it must (the scheduler's).
   */
  readonly retainEventLogHours?: number;
  /**
   * Delete inbox rows (processed event ids) older than this (default 168 h). A redelivery comes
   * within minutes (a lost ack, a retry queue's delay); a week is far beyond any of them.
   */
  readonly retainInboxHours?: number;
  /** How often to prune (default 10 min). */
  readonly pruneEveryMs?: number;
}

export interface OutboxRelayStats {
  /** Rows published and marked sent. */
  published: number;
  batches: number;
  /** Rows whose publish failed (they stay unsent). */
  failed: number;
}

export interface OutboxRelay {
  /** Look for new rows now instead of at the next poll. */
  wake(): void;
  /** Stop selecting, finish the batches in flight. */
  stop(): Promise<void>;
  readonly stats: Readonly<OutboxRelayStats>;
}

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  routing_key: string;
  body: string;
  headers: Record<string, unknown> | null;
}

export interface RelayBatchResult {
  /** Rows selected (locked) in this batch. */
  readonly selected: number;
  readonly published: number;
  readonly failed: number;
  /** Set when the connection failed under the batch (the unsent rows are retried later). */
  readonly connectionError?: Error;
}

function assertSchema(schema: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
}

/** Publish one batch of unsent rows in one transaction (see {@link OutboxRelayOptions}). */
export async function relayBatch(
  options: Pick<OutboxRelayOptions, 'db' | 'schema' | 'bus' | 'batchSize' | 'maxUnroutableAttempts'>,
): Promise<RelayBatchResult> {
  assertSchema(options.schema);
  const outbox = sql.table(`${options.schema}.outbox`);
  const limit = options.batchSize ?? OUTBOX_RELAY_BATCH_SIZE;
  const maxUnroutable = options.maxUnroutableAttempts ?? 20;
  return options.db.transaction().execute(async (trx) => {
    // Losing the last few `sent_at` marks in a database crash only re-sends those rows (consumers
    // dedup by id), so the commit need not wait for the WAL flush.
    await sql`set local synchronous_commit = off`.execute(trx);
    const { rows } = await sql<OutboxRow>`
      select seq, id::text as id, type, routing_key, envelope::text as body, headers
      from ${outbox}
      where sent_at is null and not (attempts >= ${maxUnroutable} and last_error like 'unroutable%')
      order by seq limit ${limit}
      for update skip locked`.execute(trx);
    if (rows.length === 0) return { selected: 0, published: 0, failed: 0 };
    const messages: RawMessage[] = rows.map((r) => ({
      routingKey: r.routing_key,
      body: r.body,
      messageId: r.id,
      type: r.type,
      ...(r.headers && Object.keys(r.headers).length > 0 ? { headers: r.headers } : {}),
    }));
    let connectionError: Error | undefined;
    let outcomes: Awaited<ReturnType<Bus['publishRaw']>>;
    try {
      outcomes = await options.bus.publishRaw(messages);
    } catch (error) {
      // Nothing was sent (no connection): leave every row as it is.
      return {
        selected: rows.length,
        published: 0,
        failed: rows.length,
        connectionError: error instanceof Error ? error : new Error(String(error)),
      };
    }
    const sent: number[] = [];
    const failedSeq: number[] = [];
    const failedError: string[] = [];
    rows.forEach((row, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) {
        sent.push(row.seq);
        return;
      }
      const error = outcome ? outcome.error : new Error('no outcome');
      if (!(error instanceof UnroutableError) && (error as { code?: unknown }).code === 'bus_unavailable') {
        connectionError ??= error;
      }
      failedSeq.push(row.seq);
      failedError.push(
        error instanceof UnroutableError ? `unroutable: ${error.message}` : describeError(error),
      );
    });
    if (sent.length > 0) {
      await sql`update ${outbox} set sent_at = now() where seq = any(${sent}::bigint[])`.execute(trx);
    }
    if (failedSeq.length > 0) {
      await sql`
        update ${outbox} o set attempts = o.attempts + 1, last_error = f.error
        from unnest(${failedSeq}::bigint[], ${failedError}::text[]) as f(seq, error)
        where o.seq = f.seq`.execute(trx);
    }
    return {
      selected: rows.length,
      published: sent.length,
      failed: failedSeq.length,
      ...(connectionError ? { connectionError } : {}),
    };
  });
}

/** Delete sent rows older than `hours`, in chunks so no lock is held long. Returns the count. */
export async function pruneOutbox(db: Db, schema: string, hours: number, chunk = 5_000): Promise<number> {
  assertSchema(schema);
  const outbox = sql.table(`${schema}.outbox`);
  return inChunks(chunk, async () => {
    const result = await sql`
      delete from ${outbox} where seq in (
        select seq from ${outbox}
        where sent_at is not null and sent_at < now() - make_interval(hours => ${hours})
        limit ${chunk})`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });
}

/**
 * Delete event-log rows recorded more than `hours` ago (and, given `upToSeq`, no later in the log
 * than that row), in chunks. The log is appended in `seq` order, so each chunk is the oldest
 * `chunk` rows by `seq` (a primary-key range, whatever the log's size), of which the old ones go;
 * it stops at the first chunk with none. Returns the count.
 */
export async function pruneEventLog(
  db: Db,
  schema: string,
  hours: number,
  chunk = 5_000,
  upToSeq?: number,
): Promise<number> {
  assertSchema(schema);
  const log = sql.table(`${schema}.event_log`);
  const bound = upToSeq === undefined ? sql`` : sql`and seq <= ${upToSeq}`;
  let total = 0;
  for (;;) {
    const result = await sql`
      delete from ${log} where seq in (
        select seq from (select seq, recorded_at from ${log} order by seq limit ${chunk}) oldest
        where recorded_at < now() - make_interval(hours => ${hours}) ${bound})`.execute(db);
    const n = Number(result.numAffectedRows ?? 0);
    total += n;
    if (n === 0) return total;
  }
}

/** Delete inbox rows processed more than `hours` ago, in chunks (by `processed_at`). Returns the count. */
export async function pruneInbox(db: Db, schema: string, hours: number, chunk = 5_000): Promise<number> {
  assertSchema(schema);
  const inbox = sql.table(`${schema}.inbox`);
  return inChunks(chunk, async () => {
    const result = await sql`
      delete from ${inbox} where ctid = any(array(
        select ctid from ${inbox} where processed_at < now() - make_interval(hours => ${hours})
        limit ${chunk}))`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });
}

/** Run `deleteChunk` until it deletes less than a whole chunk; the total deleted. */
async function inChunks(chunk: number, deleteChunk: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteChunk();
    total += n;
    if (n < chunk) return total;
  }
}

/** Start relaying `schema.outbox` to the bus until `stop()`. */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  assertSchema(options.schema);
  const log = options.logger.child({ component: 'outbox-relay', schema: options.schema });
  const idleMs = options.idleMs ?? 100;
  const concurrency = Math.max(1, options.concurrency ?? OUTBOX_RELAY_CONCURRENCY);
  const pruneHours = options.pruneAfterHours ?? 24;
  const logHours = options.retainEventLogHours ?? 168;
  const inboxHours = options.retainInboxHours ?? 168;
  const pruneEveryMs = options.pruneEveryMs ?? 10 * 60_000;
  const stats: OutboxRelayStats = { published: 0, batches: 0, failed: 0 };
  let stopping = false;
  let signalStop!: () => void;
  const stopSignal = new Promise<void>((resolve) => {
    signalStop = resolve;
  });
  // Workers sleep in `idle` (woken by wake() and stop()); the pruner in `pruneSleep` (stop() only).
  const idle = createSleeper();
  const pruneSleep = createSleeper();
  // A wake() that arrives while a batch runs is remembered, so the next poll is not skipped.
  let woken = false;
  const wake = () => {
    if (idle.wakeAll() === 0) woken = true;
  };

  // Selecting is serialized across the workers of this relay, so batches leave in seq order.
  let selectTurn: Promise<unknown> = Promise.resolve();

  const worker = async () => {
    let failures = 0;
    while (!stopping) {
      try {
        const connected = options.bus.waitUntilConnected(5_000);
        connected.catch(() => {});
        await Promise.race([connected, stopSignal]);
        if (stopping) break;
      } catch (error) {
        if (stopping) break;
        if (failures++ % 20 === 0)
          log.warn({ err: describeError(error) }, 'broker unavailable; outbox rows wait');
        // waitUntilConnected already waited unless the bus is closed: do not spin.
        if ((error as { code?: unknown }).code === 'bus_closed') await idle.sleep(1_000);
        continue;
      }
      let result: RelayBatchResult;
      try {
        const turn = selectTurn;
        let release!: () => void;
        selectTurn = new Promise<void>((r) => {
          release = r;
        });
        await turn;
        // Release the turn once the batch is selected and handed to the bus (publishRaw
        // writes synchronously after its first await), not when it is confirmed.
        const batch = relayBatch({ ...options, bus: withRelease(options.bus, release) });
        batch.finally(release).catch(() => {});
        result = await batch;
      } catch (error) {
        const delay = backoffDelay(failures++, { initialMs: 100, maxMs: 5_000 });
        log.warn({ err: describeError(error), retryInMs: delay }, 'outbox batch failed');
        await idle.sleep(delay);
        continue;
      }
      if (result.selected > 0) stats.batches++;
      stats.published += result.published;
      stats.failed += result.failed;
      if (result.connectionError) {
        const delay = backoffDelay(failures++, { initialMs: 100, maxMs: 5_000 });
        log.warn(
          { err: describeError(result.connectionError), unsent: result.failed, retryInMs: delay },
          'broker connection lost under an outbox batch; unsent rows wait',
        );
        await idle.sleep(delay);
        continue;
      }
      failures = 0;
      if (result.failed > 0)
        log.warn({ failed: result.failed }, 'outbox rows refused by the broker; see last_error');
      if (result.selected < (options.batchSize ?? OUTBOX_RELAY_BATCH_SIZE) && !stopping) {
        if (woken) woken = false;
        else await idle.sleep(idleMs);
      }
    }
  };

  // Each platform table with its retention (0: kept).
  const retention = [
    { what: 'sent outbox rows', hours: pruneHours, prune: pruneOutbox },
    { what: 'event-log rows', hours: logHours, prune: pruneEventLog },
    { what: 'inbox rows', hours: inboxHours, prune: pruneInbox },
  ].filter((r) => r.hours > 0);
  const pruner = async () => {
    if (retention.length === 0) return;
    while (!stopping) {
      for (const { what, hours, prune } of retention) {
        try {
          const n = await prune(options.db, options.schema, hours);
          if (n > 0) log.info({ deleted: n, olderThanHours: hours }, `pruned ${what}`);
        } catch (error) {
          log.warn({ err: describeError(error) }, `pruning ${what} failed`);
        }
      }
      await pruneSleep.sleep(pruneEveryMs);
    }
  };

  const running = Promise.all([...Array.from({ length: concurrency }, worker), pruner()]);
  log.info(
    { concurrency, batchSize: options.batchSize ?? OUTBOX_RELAY_BATCH_SIZE, idleMs },
    'outbox relay started',
  );

  return {
    wake,
    stats,
    async stop() {
      stopping = true;
      signalStop();
      wake();
      pruneSleep.wakeAll();
      await running;
      log.info({ ...stats }, 'outbox relay stopped');
    },
  };
}

/** A bus view that releases the select turn as soon as the batch is handed over for publishing. */
function withRelease(
  bus: OutboxRelayOptions['bus'],
  release: () => void,
): Pick<Bus, 'publishRaw' | 'waitUntilConnected'> {
  return {
    waitUntilConnected: (ms) => bus.waitUntilConnected(ms),
    publishRaw: (messages) => {
      const p = bus.publishRaw(messages);
      release();
      return p;
    },
  };
}
