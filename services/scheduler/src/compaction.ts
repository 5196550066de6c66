import { type Db, type DbOrTx, type Logger, pruneEventLog, sql, withTransaction } from '@healthsync/platform';
import { SCHEMA } from './db/migrations/index.js';

/** A snapshot of the schedule projection: the rows as they were once every event up to `logSeq` was applied. */
export interface Snapshot {
  readonly id: number;
  readonly logSeq: number;
  readonly takenAt: Date;
  readonly rows: number;
}

/** The newest snapshot, if any (`rebuild` starts from it). */
export async function latestSnapshot(db: DbOrTx): Promise<Snapshot | undefined> {
  const { rows } = await sql<{ id: string; log_seq: string; taken_at: Date; row_count: string }>`
    select id::text, log_seq::text, taken_at, row_count::text from scheduler.snapshots
    order by id desc limit 1`.execute(db);
  const r = rows[0];
  return r && { id: Number(r.id), logSeq: Number(r.log_seq), takenAt: r.taken_at, rows: Number(r.row_count) };
}

/**
 * Snapshot the projection without stopping the scheduler for the copy. Every writer of the
 * projection (the event handlers, the dispatcher) locks the schedules table before it logs its
 * event, in the transaction that applies it. So while the table is locked here (exclusive:
 * writers wait, readers do not), no event is logged and not yet applied: a repeatable-read
 * transaction whose view is taken then sees the log rows of exactly the applied events, and the
 * rows as they were. The lock is held only until that view is taken; the copy runs after. Both
 * connections are taken from the pool before the lock, so writers waiting on it with the pool's
 * other connections cannot starve the snapshot of one.
 */
export async function takeSnapshot(db: Db): Promise<Snapshot> {
  return db.connection().execute(async (view) => {
    await sql`begin isolation level repeatable read`.execute(view);
    try {
      const logSeq = await db.connection().execute(async (gate) => {
        await sql`begin`.execute(gate);
        try {
          await sql`lock table scheduler.schedules in exclusive mode`.execute(gate);
          // The view's first statement fixes it, while the lock keeps writers out.
          const max = await sql<{ seq: string | null }>`
            select max(seq)::text as seq from scheduler.event_log`.execute(view);
          return Number(max.rows[0]?.seq ?? 0);
        } finally {
          await sql`commit`.execute(gate);
        }
      });
      const made = await sql<{ id: string; taken_at: Date }>`
        insert into scheduler.snapshots (log_seq) values (${logSeq}) returning id::text, taken_at`.execute(
        view,
      );
      const id = Number(made.rows[0]!.id);
      await sql`
        create table ${partitionOf(id)} partition of scheduler.snapshot_schedules for values in (${sql.lit(id)})`.execute(
        view,
      );
      const copied = await sql`
        insert into ${partitionOf(id)} select ${id}, s.* from scheduler.schedules s`.execute(view);
      const rows = Number(copied.numAffectedRows ?? 0);
      await sql`update scheduler.snapshots set row_count = ${rows} where id = ${id}`.execute(view);
      await sql`commit`.execute(view);
      return { id, logSeq, takenAt: made.rows[0]!.taken_at, rows };
    } catch (error) {
      await sql`rollback`.execute(view);
      throw error;
    }
  });
}

/** A snapshot's rows: its own partition of `scheduler.snapshot_schedules`. */
const partitionOf = (id: number) => sql.table(`scheduler.snapshot_schedules_${Math.trunc(id)}`);

/** Drop the snapshots older than `id` (their partitions first: dropped, not deleted row by row). */
async function dropSnapshotsBefore(db: Db, id: number): Promise<number> {
  const older = await sql<{ id: string }>`select id::text from scheduler.snapshots where id < ${id}`.execute(
    db,
  );
  for (const row of older.rows) {
    await withTransaction(db, async (trx) => {
      await sql`drop table if exists ${partitionOf(Number(row.id))}`.execute(trx);
      await sql`delete from scheduler.snapshots where id = ${Number(row.id)}`.execute(trx);
    });
  }
  return older.rows.length;
}

export interface CompactionResult {
  readonly snapshot: Snapshot;
  /** Older snapshots dropped (their log tails are pruned away). */
  readonly snapshotsDropped: number;
  readonly logRowsDeleted: number;
}

/**
 * Bound the event log: snapshot the projection, drop older snapshots, and delete the log rows the
 * snapshot covers that are older than `historyHours` (the history `replay` reads stays). `rebuild`
 * then starts from the snapshot.
 */
export async function compactLog(db: Db, options: { historyHours: number }): Promise<CompactionResult> {
  const snapshot = await takeSnapshot(db);
  const snapshotsDropped = await dropSnapshotsBefore(db, snapshot.id);
  const logRowsDeleted = await pruneEventLog(db, SCHEMA, options.historyHours, 5_000, snapshot.logSeq);
  return { snapshot, snapshotsDropped, logRowsDeleted };
}

/**
 * Compact whenever the newest snapshot is `everyHours` old (0: never), checked every `checkMs`
 * (10 minutes) from the start, so restarts do not put it off; one process at a time (an advisory
 * lock: another instance that finds it taken skips its turn). Failures are logged; the next check
 * tries again.
 */
export function startCompaction(options: {
  db: Db;
  logger: Logger;
  everyHours: number;
  historyHours: number;
  checkMs?: number;
}): { stop(): Promise<void> } {
  if (options.everyHours <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const turn = async () => {
    await options.db.connection().execute(async (conn) => {
      const got = await sql<{ ok: boolean }>`
        select pg_try_advisory_lock(hashtext('scheduler.compaction')) as ok`.execute(conn);
      if (!got.rows[0]?.ok) return;
      try {
        const latest = await latestSnapshot(conn);
        const age = latest ? Date.now() - latest.takenAt.getTime() : Number.POSITIVE_INFINITY;
        if (age < options.everyHours * 3_600_000) return;
        const r = await compactLog(options.db, { historyHours: options.historyHours });
        options.logger.info(
          { snapshot: r.snapshot, snapshotsDropped: r.snapshotsDropped, logRowsDeleted: r.logRowsDeleted },
          'event log compacted',
        );
      } finally {
        await sql`select pg_advisory_unlock(hashtext('scheduler.compaction'))`.execute(conn);
      }
    });
  };
  const check = () => {
    if (running) return;
    running = turn()
      .catch((error: unknown) => options.logger.error({ err: error }, 'event log compaction failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(check, options.checkMs ?? 10 * 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
