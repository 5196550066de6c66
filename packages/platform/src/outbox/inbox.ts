import type { Envelope } from '@healthsync/contracts';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/db.js';
import { streamOf } from '../envelope.js';

/**
 * Record that `consumer` processed `envelope`, in the caller's transaction, and append it to the
 * event log. Returns false when it was processed before: the caller then skips its effects, so a
 * redelivered event has no second effect. One round trip.
 */
export async function claimInbox(
  trx: DbOrTx,
  schema: string,
  consumer: string,
  envelope: Envelope,
): Promise<boolean> {
  const inbox = sql.table(`${schema}.inbox`);
  const log = sql.table(`${schema}.event_log`);
  const result = await sql<{ n: number }>`
    with ins as (
      insert into ${inbox} (consumer, event_id) values (${consumer}, ${envelope.id})
      on conflict do nothing returning event_id
    ), logged as (
      insert into ${log} (event_id, direction, type, stream, envelope)
      select event_id, 'consumed', ${envelope.type}, ${streamOf(envelope)}, ${JSON.stringify(envelope)}::jsonb from ins
      on conflict (event_id, direction) do nothing
    )
    select count(*)::int as n from ins`.execute(trx);
  return (result.rows[0]?.n ?? 0) > 0;
}

/** Read a service's event log in order (for `rebuild` commands), in pages; `afterSeq`: from after that row. */
export async function* readEventLog(
  db: DbOrTx,
  schema: string,
  options: {
    types?: readonly string[];
    direction?: 'consumed' | 'emitted';
    pageSize?: number;
    afterSeq?: number;
  } = {},
): AsyncGenerator<{ seq: number; envelope: Envelope; direction: string; recordedAt: Date }> {
  const pageSize = options.pageSize ?? 1000;
  let after = options.afterSeq ?? 0;
  const log = sql.table(`${schema}.event_log`);
  for (;;) {
    const types = options.types ? sql`and type = any(${[...options.types]})` : sql``;
    const direction = options.direction ? sql`and direction = ${options.direction}` : sql``;
    const page = await sql<{ seq: number; envelope: Envelope; direction: string; recorded_at: Date }>`
      select seq, envelope, direction, recorded_at from ${log}
      where seq > ${after} ${types} ${direction} order by seq limit ${pageSize}`.execute(db);
    for (const row of page.rows)
      yield { seq: row.seq, envelope: row.envelope, direction: row.direction, recordedAt: row.recorded_at };
    if (page.rows.length < pageSize) return;
    after = page.rows[page.rows.length - 1]!.seq;
  }
}
