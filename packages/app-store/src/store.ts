import { type DataKind, UserId } from '@healthsync/contracts';
import type { Container, ContainerOf } from '@healthsync/partner-kit/declaration';
import { type DbOrTx, sql } from '@healthsync/platform';
import { z } from 'zod';
import { APP_SCHEMA } from './db/migrations/index.js';
import {
  AppRowId,
  type ColumnValue,
  containerColumns,
  rowToContainer,
  specOf,
  validateContainer,
} from './mapping.js';

/**
 * The generic store (DESIGN.md §7): the sync workers write partner data into the app's tables
 * through these functions, inside their own transaction. Every write is batched: one round trip
 * per data kind, whatever the number of rows.
 */

export interface StoreRow {
  readonly userId: string;
  readonly container: Container;
  /** The app row to update; absent for a new row. */
  readonly appRowId?: string;
}

export interface RejectedRow {
  /** Position of the row in the input. */
  readonly index: number;
  readonly reason: string;
}

/** Some rows failed validation: nothing was written. */
export class StoreRejectedError extends Error {
  override readonly name = 'StoreRejectedError';
  readonly code = 'invalid_data' as const;
  constructor(readonly rejected: readonly RejectedRow[]) {
    super(
      `${rejected.length} row(s) rejected: ${rejected
        .slice(0, 5)
        .map((r) => `#${r.index} ${r.reason}`)
        .join(' | ')}${rejected.length > 5 ? ' | ...' : ''}`,
    );
  }
}

/**
 * Rows to update do not exist, or belong to another user. The statement that found out has run in
 * the caller's transaction: the caller must let the error roll it back.
 */
export class AppRowNotFoundError extends Error {
  override readonly name = 'AppRowNotFoundError';
  readonly code = 'not_found' as const;
  constructor(
    readonly kind: DataKind,
    readonly appRowIds: readonly string[],
  ) {
    super(`no ${kind} row ${appRowIds.slice(0, 10).join(', ')} for that user`);
  }
}

interface PreparedRow {
  readonly index: number;
  readonly userId: string;
  readonly appRowId: string | null;
  readonly columns: Record<string, ColumnValue>;
}

const table = (kind: DataKind) => sql.raw(`${APP_SCHEMA}.${specOf(kind).table}`);

/** Microseconds since the epoch of a timestamptz expression, exact, as text. */
export const versionOf = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000000)::bigint`);

/**
 * Validate every row (again) with the strict container schemas, then insert the new rows and
 * update the given ones, one statement per kind. Returns the app row ids in input order.
 *
 * A row that fails validation rejects the whole call with {@link StoreRejectedError} listing every
 * failing row and its reason, before anything is written. An update of a row that does not exist
 * or belongs to another user throws {@link AppRowNotFoundError}. An update bumps `updated_at` to
 * `greatest(now(), updated_at + 1 µs)`, so a row's version never goes backwards; it leaves
 * `deleted_at` as it is.
 */
export async function storeContainers(trx: DbOrTx, rows: readonly StoreRow[]): Promise<string[]> {
  const rejected: RejectedRow[] = [];
  const byKind = new Map<DataKind, PreparedRow[]>();
  const updates = new Set<string>();
  rows.forEach((row, index) => {
    const reasons: string[] = [];
    const userId = UserId.safeParse(row?.userId);
    if (!userId.success) reasons.push('userId: expected a non-empty string of at most 128 characters');
    let appRowId: string | null = null;
    if (row?.appRowId !== undefined) {
      const id = AppRowId.safeParse(row.appRowId);
      if (id.success) appRowId = id.data;
      else reasons.push(`appRowId: ${id.error.issues[0]?.message ?? 'invalid'}`);
    }
    const container = validateContainer(row?.container);
    if (!container.ok) reasons.push(container.reason);
    else if (appRowId !== null) {
      const key = `${container.value.kind}:${appRowId}`;
      if (updates.has(key)) reasons.push(`appRowId: ${appRowId} is updated twice in one call`);
      updates.add(key);
    }
    if (reasons.length > 0 || !container.ok || !userId.success) {
      rejected.push({ index, reason: reasons.join('; ') });
      return;
    }
    const kind = container.value.kind;
    const columns = containerColumns(container.value);
    const list = byKind.get(kind) ?? [];
    list.push({ index, userId: userId.data, appRowId, columns });
    byKind.set(kind, list);
  });
  if (rejected.length > 0) throw new StoreRejectedError(rejected);

  const ids: string[] = new Array(rows.length);
  for (const [kind, prepared] of byKind) {
    const written = await writeKind(trx, kind, prepared);
    prepared.forEach((p, n) => {
      ids[p.index] = written[n]!;
    });
  }
  return ids;
}

const WriteResult = z.object({
  n: z.number().int(),
  id: z.string().nullable(),
  updated: z.boolean(),
});

async function writeKind(trx: DbOrTx, kind: DataKind, prepared: readonly PreparedRow[]): Promise<string[]> {
  const spec = specOf(kind);
  const names = spec.columns.map(([name]) => name);
  const recordType = [
    'n integer',
    'app_row_id bigint',
    'user_id text',
    ...spec.columns.map(([n, t]) => `${n} ${t}`),
  ];
  const input = prepared.map((p, n) => ({ n, app_row_id: p.appRowId, user_id: p.userId, ...p.columns }));
  const cols = sql.raw(names.join(', '));
  const assignments = sql.raw(names.map((c) => `${c} = i.${c}`).join(', '));
  // New ids are drawn in the input CTE, so each input row knows its id without relying on the
  // order of RETURNING. Inserts and updates run in the same statement: one round trip.
  const result = await sql<unknown>`
    with input as materialized (
      select x.*,
        case when x.app_row_id is null then nextval(${`${APP_SCHEMA}.${spec.table}_id_seq`}::regclass) end as new_id
      from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as x(${sql.raw(recordType.join(', '))})
    ), inserted as (
      insert into ${table(kind)} (id, user_id, ${cols})
      select new_id, user_id, ${cols} from input where app_row_id is null order by n
    ), updated as (
      update ${table(kind)} t
      set ${assignments}, updated_at = greatest(now(), t.updated_at + interval '1 microsecond')
      from input i
      where i.app_row_id is not null and t.id = i.app_row_id and t.user_id = i.user_id
      returning t.id
    )
    select i.n, coalesce(i.new_id, u.id)::text as id, (i.new_id is not null or u.id is not null) as updated
    from input i left join updated u on u.id = i.app_row_id
    order by i.n`.execute(trx);
  const out = result.rows.map((r) => WriteResult.parse(r));
  const missing = out.filter((r) => !r.updated).map((r) => prepared[r.n]?.appRowId ?? '?');
  if (missing.length > 0) throw new AppRowNotFoundError(kind, missing);
  return out.map((r) => r.id ?? '');
}

/**
 * Soft-delete app rows (set `deleted_at`, bump `updated_at`). Rows already deleted are left as they
 * are. Returns the ids that were deleted by this call. One round trip.
 */
export async function softDelete(
  trx: DbOrTx,
  kind: DataKind,
  appRowIds: readonly string[],
): Promise<string[]> {
  const ids = validIds(appRowIds);
  if (ids.length === 0) return [];
  const result = await sql<{ id: string }>`
    update ${table(kind)}
    set deleted_at = now(), updated_at = greatest(now(), updated_at + interval '1 microsecond')
    where id = any(${ids}::bigint[]) and deleted_at is null
    returning id::text as id`.execute(trx);
  return result.rows.map((r) => String(r.id));
}

export interface AppRow<K extends DataKind = DataKind> {
  readonly appRowId: string;
  readonly userId: string;
  /** `updated_at` in microseconds since the epoch (decimal string): grows with every change. */
  readonly version: string;
  readonly deleted: boolean;
  readonly container: ContainerOf<K>;
}

/** An app row the strict container schema refuses (written by the app, outside what partners take). */
export interface InvalidAppRow {
  readonly appRowId: string;
  readonly userId: string | null;
  readonly version: string | null;
  readonly deleted: boolean;
  readonly container: null;
  readonly problem: string;
}

function validIds(appRowIds: readonly string[]): string[] {
  return [...new Set(appRowIds.filter((id) => AppRowId.safeParse(id).success))];
}

/**
 * Read app rows of one kind and turn them into containers, in the order of `appRowIds` (ids that
 * do not exist are left out). Rows the strict schema refuses come back as {@link InvalidAppRow}
 * with the reason. One round trip.
 */
export async function readAppRows<K extends DataKind>(
  db: DbOrTx,
  kind: K,
  appRowIds: readonly string[],
): Promise<(AppRow<K> | InvalidAppRow)[]> {
  const ids = validIds(appRowIds);
  if (ids.length === 0) return [];
  const spec = specOf(kind);
  const columns = [...new Set(['utc_offset_minutes', ...spec.columns.map(([name]) => name)])];
  const result = await sql<Record<string, unknown>>`
    select id::text as id, user_id, ${sql.raw(columns.join(', '))},
      ${versionOf('updated_at')}::text as version, deleted_at is not null as deleted
    from ${table(kind)}
    where id = any(${ids}::bigint[])`.execute(db);
  const byId = new Map(result.rows.map((r) => [String(r.id), r]));
  const out: (AppRow<K> | InvalidAppRow)[] = [];
  for (const id of ids) {
    const raw = byId.get(id);
    if (!raw) continue;
    const mapped = rowToContainer(kind, raw);
    if (mapped.ok) {
      const { row, container } = mapped.value;
      out.push({
        appRowId: row.id,
        userId: row.user_id,
        version: row.version,
        deleted: row.deleted,
        container,
      });
    } else {
      out.push({
        appRowId: id,
        userId: typeof raw.user_id === 'string' ? raw.user_id : null,
        version: typeof raw.version === 'string' ? raw.version : null,
        deleted: raw.deleted === true,
        container: null,
        problem: mapped.reason,
      });
    }
  }
  return out;
}

/**
 * The containers of app rows, for pushing: like {@link readAppRows}, without the rows the strict
 * schema refuses (there is nothing a partner could take from them). One round trip.
 */
export async function readContainers<K extends DataKind>(
  db: DbOrTx,
  kind: K,
  appRowIds: readonly string[],
): Promise<AppRow<K>[]> {
  const rows = await readAppRows(db, kind, appRowIds);
  return rows.filter((r): r is AppRow<K> => r.container !== null);
}
