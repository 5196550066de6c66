import { type ChangeCursor, timestampFromMicros } from '@healthsync/app-store';
import type { DataKind } from '@healthsync/contracts';
import { type DbOrTx, sql } from '@healthsync/platform';
import { z } from 'zod';

export interface Position {
  readonly kind: DataKind;
  /**
   * Every row that commits with `(updated_at, id)` at or below this, now or later, was emitted,
   * and no transaction can still commit a row with `updated_at` at or below `safe.us`.
   */
  readonly safe: ChangeCursor;
  /** Rows up to this `(updated_at, id)` have been read at least once. */
  readonly cursor: ChangeCursor;
}

/** The largest bigint: a safe position at `(us, MAX_ID)` covers every row stamped `us`. */
export const MAX_ID = 9223372036854775807n;

const micros = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000000)::bigint::text`);

const PositionRow = z.object({
  kind: z.string(),
  safe_us: z.string().regex(/^-?[0-9]+$/),
  safe_id: z.string().regex(/^[0-9]+$/),
  cursor_us: z.string().regex(/^-?[0-9]+$/),
  cursor_id: z.string().regex(/^[0-9]+$/),
});

function toPosition(kind: DataKind, raw: unknown): Position {
  const r = PositionRow.parse(raw);
  return {
    kind,
    safe: { us: BigInt(r.safe_us), id: BigInt(r.safe_id) },
    cursor: { us: BigInt(r.cursor_us), id: BigInt(r.cursor_id) },
  };
}

/** Create the position rows that do not exist yet, all at `startUs` (existing rows are kept). */
export async function ensurePositions(
  db: DbOrTx,
  kinds: readonly DataKind[],
  startUs: bigint,
): Promise<void> {
  const at = timestampFromMicros(startUs);
  await sql`
    insert into change_detector.positions (kind, safe_at, safe_id, cursor_at, cursor_id)
    select k, ${at}, 0, ${at}, 0 from unnest(${[...kinds]}::text[]) as k
    on conflict (kind) do nothing`.execute(db);
}

/** Read and lock one kind's position for the rest of the transaction (one detector at a time). */
export async function lockPosition(trx: DbOrTx, kind: DataKind): Promise<Position> {
  const result = await sql`
    select kind, ${micros('safe_at')} as safe_us, safe_id::text as safe_id, ${micros('cursor_at')} as cursor_us, cursor_id::text as cursor_id
    from change_detector.positions where kind = ${kind}
    for update`.execute(trx);
  if (!result.rows[0]) throw new Error(`no change_detector position for ${kind}: call ensurePositions first`);
  return toPosition(kind, result.rows[0]);
}

export async function savePosition(trx: DbOrTx, position: Position): Promise<void> {
  await sql`
    update change_detector.positions
    set safe_at = ${timestampFromMicros(position.safe.us)},
      safe_id = ${position.safe.id.toString()}::bigint,
      cursor_at = ${timestampFromMicros(position.cursor.us)},
      cursor_id = ${position.cursor.id.toString()}::bigint,
      updated_at = now()
    where kind = ${position.kind}`.execute(trx);
}

export async function readPositions(db: DbOrTx): Promise<Position[]> {
  const result = await sql<{ kind: string }>`
    select kind, ${micros('safe_at')} as safe_us, safe_id::text as safe_id, ${micros('cursor_at')} as cursor_us, cursor_id::text as cursor_id
    from change_detector.positions order by kind`.execute(db);
  return result.rows.map((r) => toPosition(r.kind as DataKind, r));
}
