import { type DbOrTx, sql } from '@healthsync/platform';

export interface SyncLogEntry {
  partner: string;
  userId: string;
  fence: number;
  reasons: readonly string[];
  outcome: string;
  pushed: number;
  polledNew: number;
  rejected: readonly { kind: string; externalId?: string | undefined; reason: string }[];
  pushFailures: readonly {
    kind: string;
    appRowId: string | null;
    code: string;
    message: string;
    parked: boolean;
  }[];
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
  startedAt: Date;
  finishedAt: Date;
}

/** The sync_log insert as a CTE body, so it can share a statement with the fence guard. */
export function syncLogInsert(e: SyncLogEntry, from: ReturnType<typeof sql>) {
  return sql`insert into sync.sync_log (partner, user_id, fence, reasons, outcome, pushed, polled_new, rejected, push_failures, error_code, error_message, started_at, finished_at)
    select ${e.partner}, ${e.userId}, ${e.fence}, ${[...e.reasons]}, ${e.outcome}, ${e.pushed}, ${e.polledNew},
      ${JSON.stringify(e.rejected)}::jsonb, ${JSON.stringify(e.pushFailures)}::jsonb, ${e.errorCode ?? null}, ${e.errorMessage ?? null},
      ${e.startedAt}, ${e.finishedAt} from ${from}`;
}

export interface SyncLogRow {
  id: number;
  fence: number;
  reasons: string[];
  outcome: string;
  pushed: number;
  polled_new: number;
  rejected: { kind: string; externalId?: string; reason: string }[];
  push_failures: { kind: string; appRowId: string | null; code: string; message: string; parked: boolean }[];
  error_code: string | null;
  error_message: string | null;
  started_at: Date;
  finished_at: Date;
}

/** The newest syncs of a connection: what was pushed, polled, rejected and why. */
export async function recentSyncs(
  db: DbOrTx,
  partner: string,
  userId: string,
  limit = 20,
): Promise<SyncLogRow[]> {
  const r =
    await sql<SyncLogRow>`select id, fence, reasons, outcome, pushed, polled_new, rejected, push_failures,
      error_code, error_message, started_at, finished_at
    from sync.sync_log where partner = ${partner} and user_id = ${userId} order by id desc limit ${limit}`.execute(
      db,
    );
  return r.rows;
}

/** Retention: delete log rows finished before `before`, at most `limit` per call (one round trip). */
export async function pruneSyncLog(db: DbOrTx, before: Date, limit = 10_000): Promise<number> {
  const r = await sql<{ n: number }>`
    with doomed as (select id from sync.sync_log where finished_at < ${before} order by finished_at limit ${limit}),
    gone as (delete from sync.sync_log where id in (select id from doomed) returning 1)
    select count(*)::int as n from gone`.execute(db);
  return r.rows[0]?.n ?? 0;
}
