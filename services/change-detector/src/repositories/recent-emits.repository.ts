import type { ChangeCursor } from '@healthsync/app-store';
import type { DataKind } from '@healthsync/contracts';
import { type DbOrTx, sql } from '@healthsync/platform';
import { z } from 'zod';

/**
 * What the detector emitted for rows still inside its overlap window (above the safe position):
 * a re-read skips a row whose version is here, and a row whose `updated_at` went backwards is
 * emitted with a version above the last one sent.
 */
export interface Emit {
  readonly appRowId: string;
  readonly rowVersion: bigint;
  readonly emittedVersion: bigint;
}

const SeenRow = z.object({ row_id: z.string(), row_version: z.string() });

/** The emits of one kind whose row version is in `[fromUs, upToUs]`. */
export async function loadSeen(
  trx: DbOrTx,
  kind: DataKind,
  fromUs: bigint,
  upToUs: bigint,
): Promise<{ appRowId: string; version: bigint }[]> {
  const result = await sql`
    select row_id::text as row_id, row_version::text as row_version from change_detector.recent_emits
    where kind = ${kind} and row_version >= ${fromUs.toString()}::bigint and row_version <= ${upToUs.toString()}::bigint`.execute(
    trx,
  );
  return result.rows.map((raw) => {
    const r = SeenRow.parse(raw);
    return { appRowId: r.row_id, version: BigInt(r.row_version) };
  });
}

const LastRow = z.object({ row_id: z.string(), emitted: z.string() });

/** The highest version emitted so far for each of these rows (rows never emitted are absent). */
export async function lastEmittedVersions(
  trx: DbOrTx,
  kind: DataKind,
  appRowIds: readonly string[],
): Promise<Map<string, bigint>> {
  if (appRowIds.length === 0) return new Map();
  const result = await sql`
    select row_id::text as row_id, max(emitted_version)::text as emitted from change_detector.recent_emits
    where kind = ${kind} and row_id = any(${[...appRowIds]}::bigint[])
    group by row_id`.execute(trx);
  return new Map(
    result.rows.map((raw) => {
      const r = LastRow.parse(raw);
      return [r.row_id, BigInt(r.emitted)];
    }),
  );
}

/**
 * Remember the emits that may still matter and forget the others, in one round trip. An emit
 * matters while a re-read could meet its row at that version (row above the safe position) or a
 * later version of its row could come out lower than what was sent (emitted version above the
 * safe position's `updated_at`: every later version is above it).
 */
export async function recordEmits(
  trx: DbOrTx,
  kind: DataKind,
  emits: readonly Emit[],
  safe: ChangeCursor,
): Promise<void> {
  const matters = (e: Emit) =>
    e.emittedVersion > safe.us ||
    e.rowVersion > safe.us ||
    (e.rowVersion === safe.us && BigInt(e.appRowId) > safe.id);
  const keep = emits.filter(matters);
  const safeUs = safe.us.toString();
  await sql`
    with forget as (
      delete from change_detector.recent_emits
      where kind = ${kind} and emitted_version <= ${safeUs}::bigint
        and (row_version, row_id) <= (${safeUs}::bigint, ${safe.id.toString()}::bigint)
    )
    insert into change_detector.recent_emits (kind, row_id, row_version, emitted_version)
    select ${kind}, e.row_id, e.row_version, e.emitted_version
    from unnest(${keep.map((e) => e.appRowId)}::bigint[], ${keep.map((e) => e.rowVersion.toString())}::bigint[],
      ${keep.map((e) => e.emittedVersion.toString())}::bigint[]) as e(row_id, row_version, emitted_version)
    on conflict (kind, row_id, row_version)
      do update set emitted_version = greatest(recent_emits.emitted_version, excluded.emitted_version)`.execute(
    trx,
  );
}
