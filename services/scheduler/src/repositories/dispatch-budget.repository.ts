import { type DbOrTx, sql } from '@healthsync/platform';
import type { PartnerSchedule } from '../partners.js';

/**
 * Align the shared dispatch budgets with the installed partners' declarations (at start): new
 * limits start full, changed ones keep their tokens (at most the new capacity), limits no longer
 * declared are removed. One round trip.
 */
export async function syncDispatchBudgets(
  db: DbOrTx,
  partners: Iterable<PartnerSchedule>,
  now: Date,
): Promise<void> {
  const rows = [...partners].flatMap((p) =>
    p.appBudgets.map((b) => ({
      partner: p.id,
      limit_key: b.key,
      capacity: b.capacity,
      refill_per_ms: b.refillPerMs,
    })),
  );
  const t = now.toISOString();
  await sql`
    with wanted as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(partner text, limit_key text, capacity double precision, refill_per_ms double precision)
    ), removed as (
      delete from scheduler.dispatch_budgets b
      where not exists (select 1 from wanted w where w.partner = b.partner and w.limit_key = b.limit_key)
    )
    insert into scheduler.dispatch_budgets (partner, limit_key, capacity, refill_per_ms, tokens, updated_at)
    select partner, limit_key, capacity, refill_per_ms, capacity, ${t}::timestamptz from wanted
    on conflict (partner, limit_key) do update set
      capacity = excluded.capacity,
      refill_per_ms = excluded.refill_per_ms,
      tokens = least(scheduler.dispatch_budgets.tokens, excluded.capacity)`.execute(db);
}

export interface BudgetRow {
  readonly partner: string;
  readonly limitKey: string;
  readonly capacity: number;
  readonly tokens: number;
  readonly updatedAt: Date;
}

export async function listDispatchBudgets(db: DbOrTx): Promise<BudgetRow[]> {
  const { rows } = await sql<{
    partner: string;
    limit_key: string;
    capacity: number;
    tokens: number;
    updated_at: Date;
  }>`
    select partner, limit_key, capacity, tokens, updated_at from scheduler.dispatch_budgets order by partner, limit_key`.execute(
    db,
  );
  return rows.map((r) => ({
    partner: r.partner,
    limitKey: r.limit_key,
    capacity: r.capacity,
    tokens: r.tokens,
    updatedAt: r.updated_at,
  }));
}
