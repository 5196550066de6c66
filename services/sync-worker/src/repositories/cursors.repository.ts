import { sql } from '@healthsync/platform';

/** The cursor upsert as a CTE body, so it can share the statement that commits a sync. */
export function saveCursorsCte(partner: string, userId: string, cursors: Readonly<Record<string, string>>) {
  return sql`insert into sync.cursors (partner, user_id, kind, cursor)
    select ${partner}, ${userId}, kind, cursor from jsonb_each_text(${JSON.stringify(cursors)}::jsonb) as x(kind, cursor)
    on conflict (partner, user_id, kind) do update set cursor = excluded.cursor, updated_at = now()`;
}
