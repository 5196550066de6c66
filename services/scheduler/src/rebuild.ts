import {
  type Db,
  type DbOrTx,
  parseEnvelope,
  readEventLog,
  sql,
  withTransaction,
} from '@healthsync/platform';
import { latestSnapshot, type Snapshot } from './compaction.js';
import { SCHEMA } from './db/migrations/index.js';
import {
  applyConnectionEvent,
  applyRequested,
  CONSUMED_TYPES,
  type ConnectionEvent,
  type ProjectedEvent,
  type ProjectionContext,
} from './domain/projection.js';
import type { ScheduleRow } from './domain/schedule.js';
import { deleteAllSchedules, pageSchedules, upsertSchedules } from './repositories/schedule.repository.js';

const key = (partner: string, userId: string) => `${partner}\u0000${userId}`;

/**
 * The events the projection is made of, in log order (after `afterSeq`): every consumed event the
 * scheduler handles and every `sync.due` it emitted (the leases). Envelopes are parsed against the
 * catalog again.
 */
export async function* projectedEvents(
  db: DbOrTx,
  afterSeq = 0,
): AsyncGenerator<{ seq: number; event: ProjectedEvent }> {
  for await (const entry of readEventLog(db, SCHEMA, {
    types: [...CONSUMED_TYPES, 'sync.due'],
    pageSize: 5000,
    afterSeq,
  })) {
    const wanted = entry.envelope.type === 'sync.due' ? 'emitted' : 'consumed';
    if (entry.direction !== wanted) continue;
    let envelope: ReturnType<typeof parseEnvelope>;
    try {
      envelope = parseEnvelope(entry.envelope);
    } catch (error) {
      throw new Error(
        `event log entry ${entry.seq} is not a valid event: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // parseEnvelope checked the payload against the catalog schema of `type`.
    yield { seq: entry.seq, event: envelope as ProjectedEvent };
  }
}

/**
 * Fold the event log into schedule rows, in memory, with the same functions the handlers use:
 * from the newest snapshot (`compaction.ts`) and the events logged after it, or without one from
 * the whole log.
 */
export async function projectFromLog(
  db: DbOrTx,
  ctx: ProjectionContext,
): Promise<{ rows: Map<string, ScheduleRow>; events: number; snapshot: Snapshot | undefined }> {
  const rows = new Map<string, ScheduleRow>();
  const snapshot = await latestSnapshot(db);
  if (snapshot)
    for await (const page of pageSchedules(db, { snapshotId: snapshot.id }))
      for (const row of page) rows.set(key(row.partner, row.userId), row);
  let events = 0;
  for await (const { event } of projectedEvents(db, snapshot?.logSeq)) {
    events++;
    if (event.type === 'sync.requested') {
      for (const [k, row] of rows) {
        const next = applyRequested(row, event, ctx);
        if (next !== row) rows.set(k, next);
      }
      continue;
    }
    const k = key(event.payload.partner, event.payload.userId);
    const next = applyConnectionEvent(rows.get(k), event as ConnectionEvent, ctx);
    if (next) rows.set(k, next);
  }
  return { rows, events, snapshot };
}

/** A row as canonical JSON (sorted keys, ISO times), for comparisons. */
export function canonicalRow(row: ScheduleRow): string {
  const norm = (v: unknown): unknown => {
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, norm((v as Record<string, unknown>)[k])]),
      );
    }
    return v ?? null;
  };
  return JSON.stringify(norm(row));
}

export interface RowDifference {
  readonly partner: string;
  readonly userId: string;
  /** Fields that differ; `(missing)` / `(extra)` when the row exists on one side only. */
  readonly fields: readonly string[];
}

export interface RebuildReport {
  /** The snapshot the fold started from (none: the whole log). */
  readonly snapshot: Snapshot | undefined;
  readonly events: number;
  readonly rows: number;
  /** Rows of the stored projection that differ from the log's (before replacing them). */
  readonly differences: number;
  readonly sample: readonly RowDifference[];
  readonly written: boolean;
}

function differingFields(a: ScheduleRow, b: ScheduleRow): string[] {
  const out: string[] = [];
  for (const f of Object.keys(a) as (keyof ScheduleRow)[]) {
    if (
      canonicalRow({ [f]: a[f] } as unknown as ScheduleRow) !==
      canonicalRow({ [f]: b[f] } as unknown as ScheduleRow)
    )
      out.push(f);
  }
  return out;
}

/**
 * Recompute the schedule projection from the event log and compare it with the stored one; unless
 * `dryRun`, replace the stored rows with the recomputed ones. Runs in one transaction holding an
 * EXCLUSIVE lock on the table, so no handler or dispatch changes rows (or logs events about them)
 * meanwhile. The policy and configuration must be the ones the rows were built with.
 */
export async function rebuild(
  db: Db,
  ctx: ProjectionContext,
  options: { dryRun?: boolean; sampleSize?: number } = {},
): Promise<RebuildReport> {
  return withTransaction(db, async (trx) => {
    await sql`lock table scheduler.schedules in exclusive mode`.execute(trx);
    const { rows, events, snapshot } = await projectFromLog(trx, ctx);
    const sample: RowDifference[] = [];
    const sampleSize = options.sampleSize ?? 10;
    let differences = 0;
    const seen = new Set<string>();
    for await (const page of pageSchedules(trx)) {
      for (const stored of page) {
        const k = key(stored.partner, stored.userId);
        seen.add(k);
        const fresh = rows.get(k);
        if (fresh && canonicalRow(fresh) === canonicalRow(stored)) continue;
        differences++;
        if (sample.length < sampleSize) {
          sample.push({
            partner: stored.partner,
            userId: stored.userId,
            fields: fresh ? differingFields(stored, fresh) : ['(extra)'],
          });
        }
      }
    }
    for (const [k, fresh] of rows) {
      if (seen.has(k)) continue;
      differences++;
      if (sample.length < sampleSize)
        sample.push({ partner: fresh.partner, userId: fresh.userId, fields: ['(missing)'] });
    }
    if (!options.dryRun) {
      await deleteAllSchedules(trx);
      const all = [...rows.values()];
      for (let i = 0; i < all.length; i += 2000) await upsertSchedules(trx, all.slice(i, i + 2000));
    }
    return { snapshot, events, rows: rows.size, differences, sample, written: !options.dryRun };
  });
}
