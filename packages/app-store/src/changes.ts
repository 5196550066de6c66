import type { DataKind } from '@healthsync/contracts';
import { type DbOrTx, sql } from '@healthsync/platform';
import { z } from 'zod';
import { APP_SCHEMA } from './db/migrations/index.js';
import { specOf } from './mapping.js';
import { versionOf } from './store.js';

/**
 * The reads the change detector makes on the app's tables. They use only what the app already has:
 * `updated_at` (indexed), the primary key and `deleted_at`. Positions are `(updated_at, id)` pairs
 * with `updated_at` in microseconds since the epoch, carried as bigint so no precision is lost to
 * JavaScript dates.
 */

export interface AppChange {
  readonly kind: DataKind;
  readonly appRowId: string;
  readonly userId: string;
  /** `updated_at` in microseconds since the epoch. */
  readonly version: bigint;
  readonly deleted: boolean;
}

export interface ChangeCursor {
  /** `updated_at` in microseconds since the epoch. */
  readonly us: bigint;
  readonly id: bigint;
}

/** A timestamptz from microseconds since the epoch, exact for any date before the year 2255. */
export const timestampFromMicros = (us: bigint) =>
  sql`(timestamptz 'epoch' + ${us.toString()}::bigint * interval '1 microsecond')`;

const ChangeRow = z.object({
  id: z.string(),
  user_id: z.string(),
  version: z.string().regex(/^-?[0-9]+$/),
  deleted: z.boolean(),
});

function toChanges(kind: DataKind, rows: readonly unknown[]): AppChange[] {
  return rows.map((raw) => {
    const r = ChangeRow.parse(raw);
    return { kind, appRowId: r.id, userId: r.user_id, version: BigInt(r.version), deleted: r.deleted };
  });
}

const table = (kind: DataKind) => sql.raw(`${APP_SCHEMA}.${specOf(kind).table}`);
const columns = sql`t.id::text as id, t.user_id, ${versionOf('t.updated_at')}::text as version, t.deleted_at is not null as deleted`;

/** Rows whose `(updated_at, id)` is after `cursor`, in that order, at most `limit`. */
export async function readChangesAfter(
  db: DbOrTx,
  kind: DataKind,
  cursor: ChangeCursor,
  limit: number,
): Promise<AppChange[]> {
  if (limit <= 0) return [];
  const at = timestampFromMicros(cursor.us);
  // Two ranges, so each can use an index the app already has: the rest of the cursor's own
  // updated_at (rows written by one transaction share it; read in id order through the primary
  // key) and then the later updated_at values (through the updated_at index). The second range is
  // not read at all when the first fills the batch.
  const result = await sql`
    (select ${columns} from ${table(kind)} t
      where t.updated_at = ${at} and t.id > ${cursor.id.toString()}::bigint
      order by t.id
      limit ${limit})
    union all
    (select ${columns} from ${table(kind)} t
      where t.updated_at > ${at}
      order by t.updated_at, t.id
      limit ${limit})
    limit ${limit}`.execute(db);
  return toChanges(kind, result.rows);
}

/**
 * One user's rows of a kind whose `(updated_at, id)` is after `cursor`, in that order, at most
 * `limit`: what a new connection takes up. A recent cursor is read through the app's `updated_at`
 * index (1,050,000 rows, 20,001 users, a cursor 10 s back: an index scan of 0.01 ms), an old one
 * through whichever of it and `user_id` the planner finds narrower.
 */
export async function readUserChangesAfter(
  db: DbOrTx,
  kind: DataKind,
  userId: string,
  cursor: ChangeCursor,
  limit: number,
): Promise<AppChange[]> {
  if (limit <= 0) return [];
  const result = await sql`
    select ${columns} from ${table(kind)} t
    where t.user_id = ${userId}
      and (t.updated_at, t.id) > (${timestampFromMicros(cursor.us)}, ${cursor.id.toString()}::bigint)
    order by t.updated_at, t.id
    limit ${limit}`.execute(db);
  return toChanges(kind, result.rows);
}

export interface RereadWindow {
  /** Exclusive lower bound, in `(updated_at, id)` order. */
  readonly above: ChangeCursor;
  /** Inclusive upper bound of `updated_at` (µs). */
  readonly upToUs: bigint;
  /** Inclusive upper bound in `(updated_at, id)` order (rows after it are read by {@link readChangesAfter}). */
  readonly cursor: ChangeCursor;
  /** `(id, version)` pairs already seen: rows still at that version are left out. */
  readonly seen: readonly { readonly appRowId: string; readonly version: bigint }[];
}

/**
 * Rows in a window already read once, `above < (updated_at, id) <= cursor` and `updated_at <=
 * upToUs`, that are not in `seen` at the same version: rows whose transaction committed after the
 * window was read (their `updated_at` is that transaction's start, older than rows already read).
 */
export async function rereadChanges(
  db: DbOrTx,
  kind: DataKind,
  window: RereadWindow,
  limit: number,
): Promise<AppChange[]> {
  if (limit <= 0 || window.upToUs < window.above.us) return [];
  const ids = window.seen.map((s) => s.appRowId);
  const versions = window.seen.map((s) => s.version.toString());
  const aboveAt = timestampFromMicros(window.above.us);
  const cursorAt = timestampFromMicros(window.cursor.us);
  const result = await sql`
    select ${columns} from ${table(kind)} t
    where t.updated_at >= ${aboveAt}
      and (t.updated_at, t.id) > (${aboveAt}, ${window.above.id.toString()}::bigint)
      and t.updated_at <= ${timestampFromMicros(window.upToUs)}
      and (t.updated_at, t.id) <= (${cursorAt}, ${window.cursor.id.toString()}::bigint)
      and not exists (
        select 1 from unnest(${ids}::bigint[], ${versions}::bigint[]) as s(id, version)
        where s.id = t.id and s.version = ${versionOf('t.updated_at')})
    order by t.updated_at, t.id
    limit ${limit}`.execute(db);
  return toChanges(kind, result.rows);
}
