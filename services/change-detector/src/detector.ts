import { type AppChange, type ChangeCursor, readChangesAfter, rereadChanges } from '@healthsync/app-store';
import { DATA_KINDS, type DataKind } from '@healthsync/contracts';
import {
  createEvent,
  type Db,
  enqueueEvents,
  type Logger,
  type OutgoingEvent,
  withTransaction,
} from '@healthsync/platform';
import { SCHEMA } from './db/migrations/index.js';
import { type Horizon, readHorizon } from './repositories/activity.repository.js';
import {
  ensurePositions,
  lockPosition,
  MAX_ID,
  type Position,
  readPositions,
  savePosition,
} from './repositories/positions.repository.js';
import {
  type Emit,
  lastEmittedVersions,
  loadSeen,
  recordEmits,
} from './repositories/recent-emits.repository.js';

/*
 * How changes are found: snapshot-aware reads on `updated_at`, with a held-back safe position and
 * a remembered overlap window. No trigger, column or index is added to the app's tables, and no
 * logical replication is needed (the server runs with wal_level=replica).
 *
 * The problem. The app stamps `updated_at = now()`, and `now()` in Postgres is the writing
 * transaction's START. A transaction that began at 10:00:00 and commits at 10:00:05 makes its rows
 * visible only at 10:00:05, stamped 10:00:00, after rows stamped 10:00:03 were already read. A plain
 * "updated_at > last position" reader misses those rows forever.
 *
 * Per kind the detector keeps (change_detector.positions):
 *   - cursor C = (updated_at, id) of the last row read: rows are read forward in that order, in
 *     bounded batches (one transaction each);
 *   - safe position P, also an (updated_at, id) pair: every row that will ever commit at or below P
 *     has been emitted, and no transaction can still commit a row stamped at or below P's
 *     updated_at. A pair, so that a batch that ends inside a run of rows sharing one updated_at
 *     (one transaction's rows) leaves nothing to re-read behind it.
 *
 * Each batch, in one transaction:
 *   1. lock the kind's position row (two detectors never interleave);
 *   2. read the horizon H: the `xact_start` of the oldest transaction in flight in this database
 *      (pg_stat_activity, every backend but autovacuum and our own), capped by the statement time.
 *      Any transaction that commits later started at or after H, so its rows carry
 *      updated_at >= H. The next statement's snapshot is taken after this read, so every
 *      transaction that finished before it is visible to the data reads. A margin (default 1 s)
 *      covers the microseconds between a transaction taking its start time and showing it in
 *      pg_stat_activity. Prepared (two-phase) transactions hide their start: while one exists
 *      the safe position does not move at all;
 *   3. re-read the window (P, C] for rows not seen at their current version (the late commits).
 *      The first batch of each run re-reads the whole window; later batches re-read only the part
 *      the safe position is about to pass;
 *   4. read forward after C with the room left in the batch;
 *   5. emit `shapeup.data-changed` for every row read (op from deleted_at), through the outbox;
 *   6. move P to min(H - margin, what this transaction has fully read), never backwards; remember
 *      (row, version) of the emits that still matter and forget the rest (change_detector.recent_emits);
 *      save the position. Steps 5 and 6 commit together: a crash before the commit loses nothing
 *      (the batch is read again), a crash after it re-emits nothing.
 *
 * A row re-read in the window at a version already emitted is skipped, so nothing is emitted twice.
 * A row whose updated_at went backwards (an older transaction updated it after a newer one did) is
 * emitted with a version one above the last one sent, so consumers that compare versions take it.
 *
 * Cost: the window is normally about a second of writes. A session left idle in a transaction holds
 * P back (never skipped: skipping it could lose its rows); the window then grows and the first
 * batch of each run re-reads it. `heldBy` in the result names that session so an operator can end
 * it; the service logs it and exports the lag as a metric.
 *
 * Assumptions: rows are stamped by the database clock inside the writing transaction (`now()`,
 * `clock_timestamp()`, or a trigger) and the app soft-deletes (a hard DELETE is invisible here);
 * the detector's role can read every session's xact_start (see checkPrerequisites).
 */

export interface DetectOptions {
  /** Rows per batch (one transaction each), default 1000. */
  readonly batchSize?: number;
  /** Held back below the oldest transaction start, default 1000 ms. */
  readonly safetyMarginMs?: number;
  /** Kinds to scan, default all. */
  readonly kinds?: readonly DataKind[];
  /** `source` of the emitted envelopes, default `change-detector`. */
  readonly source?: string;
  /** Where a kind never scanned before starts: every existing row (default) or only later changes. */
  readonly startFrom?: 'beginning' | 'now';
  /** Checked between batches: stop after the current batch when it returns true. */
  readonly shouldStop?: () => boolean;
  /** Called after each committed batch. */
  readonly onBatch?: (report: BatchReport) => void | Promise<void>;
  readonly logger?: Logger;
}

export interface KindPosition {
  /** The safe position as an ISO timestamp (microseconds). */
  readonly safeAt: string;
  readonly safeUs: string;
  readonly safeId: string;
  readonly cursorUs: string;
  readonly cursorId: string;
}

export interface HeldBy {
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string | null;
  readonly transactionAgeSeconds: number;
}

export interface BatchReport {
  readonly kind: DataKind;
  readonly emitted: number;
  /** Of which found by re-reading the window (late commits). */
  readonly late: number;
  /** Rows whose event could not be built (e.g. an invalid user id); logged and passed over. */
  readonly skipped: number;
  readonly position: KindPosition;
  /** The oldest transaction in flight, when it held the safe position back by more than the margin. */
  readonly heldBy: HeldBy | null;
  /** Prepared transactions waiting: the safe position does not move while there are any. */
  readonly preparedTransactions: number;
  readonly ms: number;
}

export interface DetectResult {
  readonly emitted: number;
  readonly late: number;
  readonly skipped: number;
  readonly batches: number;
  /** False when stopped before every kind was caught up. */
  readonly caughtUp: boolean;
  readonly position: Partial<Record<DataKind, KindPosition>>;
  /** The oldest transaction in flight at the last batch, when it held the safe position back. */
  readonly heldBy: HeldBy | null;
}

const DEFAULT_SOURCE = 'change-detector';

function formatMicros(us: bigint): string {
  const ms = us / 1000n;
  const rest = us % 1000n;
  const iso = new Date(Number(ms)).toISOString();
  const micro = (rest < 0n ? rest + 1000n : rest).toString().padStart(3, '0');
  return `${iso.slice(0, -1)}${micro}Z`;
}

export function describePosition(p: Position): KindPosition {
  return {
    safeAt: formatMicros(p.safe.us),
    safeUs: p.safe.us.toString(),
    safeId: p.safe.id.toString(),
    cursorUs: p.cursor.us.toString(),
    cursorId: p.cursor.id.toString(),
  };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** `(updated_at, id)` order. */
function compare(a: ChangeCursor, b: ChangeCursor): number {
  if (a.us !== b.us) return a.us < b.us ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}
const minPair = (a: ChangeCursor, b: ChangeCursor) => (compare(a, b) <= 0 ? a : b);
const maxPair = (a: ChangeCursor, b: ChangeCursor) => (compare(a, b) >= 0 ? a : b);
/** The last position stamped `us`: past every row with that updated_at. */
const wholeMicrosecond = (us: bigint): ChangeCursor => ({ us, id: MAX_ID });
const pairOf = (c: AppChange): ChangeCursor => ({ us: c.version, id: BigInt(c.appRowId) });

interface BatchOutcome {
  readonly report: BatchReport;
  /** The batch was full: more rows may wait. */
  readonly full: boolean;
  /** The whole window was re-read and fewer than a batch of late rows were in it. */
  readonly windowDrained: boolean;
}

interface Settings {
  readonly batchSize: number;
  readonly marginUs: bigint;
  readonly source: string;
  readonly logger: Logger | undefined;
}

/**
 * The highest `updated_at` no transaction can still commit: a transaction still in flight, or one
 * that starts after this read, stamps its rows at or after `min(oldest start, statement time)`.
 */
function releaseBelow(h: Horizon, marginUs: bigint): bigint {
  return min(h.statementUs, h.oldest?.startUs ?? h.statementUs) - 1n - marginUs;
}

function heldByOf(h: Horizon): HeldBy | null {
  if (!h.oldest) return null;
  return {
    pid: h.oldest.pid,
    applicationName: h.oldest.applicationName,
    state: h.oldest.state,
    transactionAgeSeconds: Number(h.statementUs - h.oldest.startUs) / 1e6,
  };
}

async function runBatch(db: Db, kind: DataKind, rereadAll: boolean, s: Settings): Promise<BatchOutcome> {
  const started = performance.now();
  const n = s.batchSize;
  return withTransaction(db, async (trx) => {
    const position = await lockPosition(trx, kind);
    const horizon = await readHorizon(trx);
    const { safe: P, cursor: C } = position;
    // Nothing can still commit at or below `release`; null while a prepared transaction waits.
    const release = horizon.preparedTransactions > 0 ? null : releaseBelow(horizon, s.marginUs);

    // 3. Re-read the window (P, C]: all of it on the first batch of a run, else the part P may pass.
    const rereadUpTo = rereadAll ? C.us : min(C.us, release === null ? P.us : max(P.us, release));
    const windowEnd = minPair(C, wholeMicrosecond(rereadUpTo));
    let late: AppChange[] = [];
    if (compare(windowEnd, P) > 0) {
      const seen = await loadSeen(trx, kind, P.us, rereadUpTo);
      late = await rereadChanges(trx, kind, { above: P, upToUs: rereadUpTo, cursor: C, seen }, n);
    }

    // 4. Forward. `covered`: this transaction has read every visible row up to here (null: all).
    let forward: AppChange[] = [];
    let covered: ChangeCursor | null;
    if (late.length === n) {
      covered = pairOf(late[late.length - 1]!);
    } else {
      const room = n - late.length;
      forward = await readChangesAfter(trx, kind, C, room);
      if (compare(windowEnd, C) < 0) covered = maxPair(P, windowEnd);
      else covered = forward.length === room ? pairOf(forward[forward.length - 1]!) : null;
    }
    const last = forward[forward.length - 1];
    const cursor: ChangeCursor = last ? pairOf(last) : C;
    const limit = release === null ? null : wholeMicrosecond(release);
    const safe = limit === null ? P : maxPair(P, covered === null ? limit : minPair(limit, covered));

    // 5. Events, with versions that never go backwards for a row.
    const changes = [...late, ...forward];
    const previous = await lastEmittedVersions(
      trx,
      kind,
      changes.map((c) => c.appRowId),
    );
    const events: OutgoingEvent[] = [];
    const emits: Emit[] = [];
    let skipped = 0;
    for (const change of changes) {
      const before = previous.get(change.appRowId);
      const version = before !== undefined && before >= change.version ? before + 1n : change.version;
      previous.set(change.appRowId, version);
      emits.push({ appRowId: change.appRowId, rowVersion: change.version, emittedVersion: version });
      try {
        events.push(
          createEvent(
            'shapeup.data-changed',
            {
              userId: change.userId,
              kind,
              itemId: change.appRowId,
              op: change.deleted ? 'delete' : 'upsert',
              version: version.toString(),
            },
            { source: s.source },
          ),
        );
      } catch (error) {
        skipped++;
        s.logger?.warn(
          { kind, appRowId: change.appRowId, reason: error instanceof Error ? error.message : String(error) },
          'app row passed over: no valid data-changed event can be built for it',
        );
      }
    }

    // 6. Outbox, overlap memory and position commit together.
    await enqueueEvents(trx, SCHEMA, events);
    await recordEmits(trx, kind, emits, safe);
    const next: Position = { kind, safe, cursor };
    await savePosition(trx, next);
    const heldBy = heldByOf(horizon);
    return {
      report: {
        kind,
        emitted: events.length,
        late: late.length,
        skipped,
        position: describePosition(next),
        heldBy: horizon.oldest && horizon.oldest.startUs < horizon.statementUs - s.marginUs ? heldBy : null,
        preparedTransactions: horizon.preparedTransactions,
        ms: performance.now() - started,
      },
      full: changes.length === n,
      windowDrained: rereadAll && late.length < n,
    };
  });
}

/**
 * Find the changes since the last run and emit them, in bounded batches (one transaction each),
 * until every kind is caught up or `shouldStop()` says so. Kinds take turns, so a backlog in one
 * does not hold the others up. Safe to call concurrently (the position row is locked per batch).
 */
export async function detectOnce(db: Db, options: DetectOptions = {}): Promise<DetectResult> {
  const settings: Settings = {
    batchSize: options.batchSize ?? 1000,
    marginUs: BigInt(Math.round((options.safetyMarginMs ?? 1000) * 1000)),
    source: options.source ?? DEFAULT_SOURCE,
    logger: options.logger,
  };
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1)
    throw new Error('batchSize must be a positive integer');
  if (settings.marginUs < 0n) throw new Error('safetyMarginMs must not be negative');
  const kinds = [...new Set(options.kinds ?? DATA_KINDS)];
  await ensureStarted(db, kinds, options.startFrom ?? 'beginning', settings.marginUs);

  const rereadAll = new Set<DataKind>(kinds);
  let pending = [...kinds];
  let emitted = 0;
  let late = 0;
  let skipped = 0;
  let batches = 0;
  let heldBy: HeldBy | null = null;
  const position: Partial<Record<DataKind, KindPosition>> = {};
  while (pending.length > 0 && !options.shouldStop?.()) {
    const still: DataKind[] = [];
    for (const kind of pending) {
      if (options.shouldStop?.()) {
        still.push(kind);
        continue;
      }
      const outcome = await runBatch(db, kind, rereadAll.has(kind), settings);
      if (outcome.windowDrained) rereadAll.delete(kind);
      batches++;
      emitted += outcome.report.emitted;
      late += outcome.report.late;
      skipped += outcome.report.skipped;
      heldBy = outcome.report.heldBy;
      position[kind] = outcome.report.position;
      await options.onBatch?.(outcome.report);
      if (outcome.full || rereadAll.has(kind)) still.push(kind);
    }
    pending = still;
  }
  return { emitted, late, skipped, batches, caughtUp: pending.length === 0, position, heldBy };
}

async function ensureStarted(
  db: Db,
  kinds: readonly DataKind[],
  startFrom: 'beginning' | 'now',
  marginUs: bigint,
) {
  if (startFrom === 'beginning') {
    await ensurePositions(db, kinds, 0n);
    return;
  }
  // Starting "now" still respects transactions in flight: their rows will be emitted.
  await withTransaction(db, async (trx) => {
    await ensurePositions(trx, kinds, releaseBelow(await readHorizon(trx), marginUs));
  });
}

/** The current positions, for health output and tools. */
export async function currentPositions(db: Db): Promise<Partial<Record<DataKind, KindPosition>>> {
  return Object.fromEntries((await readPositions(db)).map((p) => [p.kind, describePosition(p)]));
}
